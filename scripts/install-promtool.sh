#!/usr/bin/env bash
# Installs Debian's prometheus package for its promtool, which test/report-sarif-prometheus.test.ts
# runs on singlepath's metrics and sample alerting rules. Idempotent. The package's own service is
# never started or left enabled.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  echo "install-promtool: promtool already installed"
  exit 0
fi
bash "$(dirname "$0")/apt-install-quiet.sh" install-promtool prometheus prometheus
{ promtool --version 2>&1 || true; } | sed -n 1p
