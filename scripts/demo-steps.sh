#!/usr/bin/env bash
# Runs inside the lab (HYDRA_CONFIG points at the lab's config). Each step shows one command.
set -u
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }
step node bin/run.js config show
step node bin/run.js health
step node bin/run.js targets
echo
echo "Now one node exporter stops, as on a bad night:"
curl -s -X POST "$HYDRA_LAB_CONTROL/stop/node-exporter@hydra-compute" >/dev/null 2>&1 || true
sleep 3
step node bin/run.js targets --down
curl -s -X POST "$HYDRA_LAB_CONTROL/start/node-exporter@hydra-compute" >/dev/null 2>&1 || true
exit 0
