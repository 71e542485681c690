#!/usr/bin/env bash
# Runs inside the lab started by test/lab/cli.ts (HYDRA_CONFIG points at the lab's config,
# HYDRA_LAB_CONTROL at its control API). Each step shows one hydra command and its exit code.
set -u
step() { printf '\n\033[1m$ hydra %s\033[0m\n' "$*"; node bin/run.js "$@"; echo "(exit $?)"; }
lab() { curl -fsS -X "$1" "$HYDRA_LAB_CONTROL$2" >/dev/null; }
step config show
step health
step targets
echo
echo "Now the node exporter on hydra-compute stops, as on a bad night, and Loki stops being ready:"
lab POST /components/node-exporter%40hydra-compute/stop
curl -fsS -X PUT -H 'Content-Type: application/json' -d '{"status":503,"body":"Ingester not ready: waiting for 15s after being ready","paths":["/ready"]}' "$HYDRA_LAB_CONTROL/components/loki/fault" >/dev/null
sleep 3
step targets --down
step health
echo
echo "And doctor, which runs everything and names one cause per problem (the lab's tabbyapi"
echo "container logs with json-file although the config expects it on Loki):"
step doctor
lab POST /reset
exit 0
