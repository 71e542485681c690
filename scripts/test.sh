#!/usr/bin/env bash
# The whole test suite, from a fresh machine of this kind (Debian 12, Node 20, root):
#   1. installs what it needs (Debian packages, npm packages) and builds;
#   2. type-checks and runs the unit and command tests (no network);
#   3. starts dockerd for the lab (outside the namespace: `ip netns exec` hides the cgroup mounts
#      dockerd needs; it needs no network, only its unix socket);
#   4. makes a network namespace with only a loopback interface and runs the integration tests in
#      it, against the lab (real Prometheus, node exporters, Alertmanager, sshd, iptables, Docker,
#      and documented-API stand-ins), so no packet can leave the machine;
#   5. prints one closing line "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: the lab needs root (network namespaces, iptables, dockerd): run with sudo" >&2
  exit 2
fi

bash scripts/install-deps.sh --lab

results=$(mktemp -d /tmp/hydra-test-results.XXXXXX)
state=$(mktemp -d /tmp/hydra-lab.XXXXXX)
ns="hydra-test-$$"
cleanup() {
  set +e
  if [ -x scripts/lab-dockerd.sh ]; then bash scripts/lab-dockerd.sh stop "$state/docker" >/dev/null 2>&1; fi
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns"
  rm -rf "$state"
}
trap cleanup EXIT

echo "== type-check" >&2
npx tsc -p tsconfig.json --noEmit

echo "== unit and command tests" >&2
unit_rc=0
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json" || unit_rc=$?

echo "== integration tests (lab in network namespace $ns)" >&2
if [ -x scripts/lab-dockerd.sh ]; then
  eval "$(bash scripts/lab-dockerd.sh start "$state/docker")"   # exports HYDRA_LAB_DOCKER_HOST
fi
mkdir -p "/etc/netns/$ns"
cp test/lab/netns-hosts "/etc/netns/$ns/hosts"   # the lab's node names (storage.lab, …)
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
int_rc=0
ip netns exec "$ns" env HYDRA_LAB_DOCKER_HOST="${HYDRA_LAB_DOCKER_HOST:-}" \
  npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json" || int_rc=$?

node scripts/summarize-tests.mjs "$results/unit.json" "$results/integration.json"
rm -rf "$results"
if [ "$unit_rc" -ne 0 ] || [ "$int_rc" -ne 0 ]; then exit 1; fi
