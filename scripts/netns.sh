#!/usr/bin/env bash
# Runs a command inside a fresh network namespace that has only a loopback interface, so that no
# packet can leave the machine whatever address a config names. The namespace is deleted after.
#   scripts/netns.sh CMD [ARGS...]
set -euo pipefail
ns="hydra-$$-$RANDOM"
# the lab's node names: `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts
mkdir -p "/etc/netns/$ns"
cp "$(dirname "$0")/../test/lab/netns-hosts" "/etc/netns/$ns/hosts"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "/etc/netns/$ns"' EXIT
ip netns exec "$ns" ip link set lo up
set +e
ip netns exec "$ns" "$@"
rc=$?
exit $rc
