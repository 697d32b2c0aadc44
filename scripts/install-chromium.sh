#!/usr/bin/env bash
# Installs Debian's chromium for the headless HTML report test (test/report-html-browser.test.ts).
# Idempotent: does nothing when chromium is already there. Uses only the distribution's apt
# repositories; the test itself never lets the browser reach beyond 127.0.0.0/8.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  echo "install-chromium: chromium already installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-chromium: chromium is missing and this is not root (no sudo either)" >&2
    exit 1
  fi
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends chromium
# Some text must render for the screenshot to mean anything; DejaVu is small.
if ! fc-list 2>/dev/null | grep -q .; then
  "${sudo[@]}" apt-get install -y --no-install-recommends fonts-dejavu-core
fi
chromium --version
