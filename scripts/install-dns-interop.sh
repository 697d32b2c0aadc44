#!/usr/bin/env bash
# Installs Debian's nsd, knot and bind9 (authoritative) and unbound (recursive) for the interop
# test (test/interop-unbound.test.ts: nsd and unbound on 127.0.0.1 high ports) and the DNS world
# in a network namespace (test/netns-world.test.ts: all four on providers' addresses inside a
# namespace with no route out). Idempotent: does nothing when all are there. The packages' own
# services are never started or left enabled: the tests run the daemons as child processes with
# generated configs, and nothing on the host may bind port 53 or reach beyond 127.0.0.0/8.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if have nsd && have unbound && have knotd && have named && have ip; then
  echo "install-dns-interop: nsd, unbound, knot, bind9 and iproute2 already installed"
  exit 0
fi

# knot brings knotc (conf-check), bind9 brings bind9-utils (named-checkconf, named-checkzone);
# iproute2's `ip netns` makes the namespace. Their services (port 53; unbound's would fetch the
# root trust anchor) are never started.
bash "$(dirname "$0")/apt-install-quiet.sh" install-dns-interop \
  nsd,unbound,unbound-resolvconf,knot,named,named-resolvconf,bind9 \
  nsd unbound knot bind9 iproute2

# sed, not head: head would close the pipe early and pipefail would report SIGPIPE.
{ PATH="$PATH:/usr/sbin" nsd -v 2>&1 || true; } | sed -n 1p
{ PATH="$PATH:/usr/sbin" unbound -V 2>&1 || true; } | sed -n 1p
{ PATH="$PATH:/usr/sbin" knotd -V 2>&1 || true; } | sed -n 1p
{ PATH="$PATH:/usr/sbin" named -v 2>&1 || true; } | sed -n 1p
