#!/usr/bin/env bash
# Installs Debian's prometheus package for its promtool, which test/report-sarif-prometheus.test.ts
# runs on singlepath's metrics and sample alerting rules. Idempotent. The package's own service is
# never started or left enabled (the same policy-rc.d guard as install-dns-interop.sh).
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  echo "install-promtool: promtool already installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-promtool: promtool is missing and this is not root (no sudo either)" >&2
    exit 1
  fi
  sudo=(sudo)
fi

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
"${sudo[@]}" apt-get install -y --no-install-recommends prometheus

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  "${sudo[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
{ promtool --version 2>&1 || true; } | sed -n 1p
