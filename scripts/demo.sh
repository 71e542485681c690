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
bash scripts/install-deps.sh --lab

# The lab's Docker engine runs outside the namespace (ip netns exec hides the cgroup mounts
# dockerd needs); the lab's nodes reach it through its unix socket.
state=$(mktemp -d /tmp/hydra-demo.XXXXXX)
trap 'bash scripts/lab-dockerd.sh stop "$state/docker" >/dev/null 2>&1; rm -rf "$state"' EXIT
eval "$(bash scripts/lab-dockerd.sh start "$state/docker")"
bash scripts/netns.sh env HYDRA_LAB_DOCKER_HOST="$HYDRA_LAB_DOCKER_HOST" npx tsx test/lab/cli.ts run -- bash scripts/demo-steps.sh
