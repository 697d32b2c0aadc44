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

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-dns-interop: nsd/unbound/knot/bind9 are missing and this is not root (no sudo either)" >&2
    exit 1
  fi
  sudo=(sudo)
fi

# policy-rc.d exit 101 tells invoke-rc.d and deb-systemd-invoke not to start the services the
# packages ship (they would bind port 53, and unbound's would fetch the root trust anchor).
# Put one in place for the install only, unless the machine already has one.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
# knot brings knotc (conf-check), bind9 brings bind9-utils (named-checkconf, named-checkzone);
# iproute2's `ip netns` makes the namespace.
"${sudo[@]}" apt-get install -y --no-install-recommends nsd unbound knot bind9 iproute2

# Where systemd runs, make sure no unit is running or enabled.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for unit in nsd unbound unbound-resolvconf knot named named-resolvconf bind9; do
    "${sudo[@]}" systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi

# sed, not head: head would close the pipe early and pipefail would report SIGPIPE.
{ PATH="$PATH:/usr/sbin" nsd -v 2>&1 || true; } | sed -n 1p
{ PATH="$PATH:/usr/sbin" unbound -V 2>&1 || true; } | sed -n 1p
{ PATH="$PATH:/usr/sbin" knotd -V 2>&1 || true; } | sed -n 1p
{ PATH="$PATH:/usr/sbin" named -v 2>&1 || true; } | sed -n 1p
