#!/usr/bin/env bash
# apt-install-quiet.sh WHO UNITS PACKAGE...: installs Debian packages whose own services must never
# run here (a DNS server on port 53, a Prometheus server): a policy-rc.d that says "no" stands for
# the install (unless the machine has one), and where systemd runs the UNITS (comma-separated) are
# disabled and stopped after. WHO names the caller in messages. Used by install-dns-interop.sh and
# install-promtool.sh.
set -euo pipefail
who=$1
units=$2
shift 2

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "$who: $* missing and this is not root (no sudo either)" >&2
    exit 1
  fi
  sudo=(sudo)
fi

# policy-rc.d exit 101 tells invoke-rc.d and deb-systemd-invoke not to start the services the
# packages ship. Put one in place for the install only, unless the machine already has one.
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
"${sudo[@]}" apt-get install -y --no-install-recommends "$@"

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for unit in ${units//,/ }; do
    "${sudo[@]}" systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
