#!/usr/bin/env bash
# Builds hydra and shows it working without the real cluster: starts the test lab (real
# Prometheus, node exporters and Alertmanager, plus documented-API stand-ins) inside a network
# namespace with only a loopback interface, and runs hydra against it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: the lab needs root (network namespaces): run with sudo" >&2
  exit 2
fi
bash scripts/install-deps.sh
exec bash scripts/netns.sh npx tsx test/lab/cli.ts run -- bash scripts/demo-steps.sh
