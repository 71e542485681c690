#!/usr/bin/env bash
# Every hydra command's --json output against the lab's scenarios, normalised (timestamps,
# durations, temp paths masked), one file per command and scenario, for a before/after diff of a
# refactor. Runs INSIDE the lab (HYDRA_CONFIG and HYDRA_LAB_CONTROL set), e.g.:
#   eval "$(bash scripts/lab-dockerd.sh start /tmp/dk)"
#   bash scripts/netns.sh env HYDRA_LAB_DOCKER_HOST=$HYDRA_LAB_DOCKER_HOST \
#     npx tsx test/lab/cli.ts run -- bash scripts/json-snapshot.sh OUT_DIR [HYDRA_ROOT]
# HYDRA_ROOT (default: this checkout) is the built checkout whose bin/run.js is run, so one copy of
# this script can snapshot an older commit's build.
set -u
out=${1:?usage: json-snapshot.sh OUT_DIR [HYDRA_ROOT]}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${2:-$here}" && pwd)
: "${HYDRA_CONFIG:?run inside the lab: npx tsx test/lab/cli.ts run -- bash scripts/json-snapshot.sh ...}"
: "${HYDRA_LAB_CONTROL:?run inside the lab}"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/hydra-snap.XXXXXX)
trap 'rm -rf "$work"' EXIT
scenario=healthy

lab() { # METHOD PATH [JSON]
  if [ $# -ge 3 ]; then curl -fsS -X "$1" -H 'Content-Type: application/json' -d "$3" "$HYDRA_LAB_CONTROL$2" >/dev/null
  else curl -fsS -X "$1" "$HYDRA_LAB_CONTROL$2" >/dev/null; fi
}
# snap NAME ARGS...: run hydra ARGS --json, store normalised stdout + exit code
snap() {
  local name=$1; shift
  mkdir -p "$out/$scenario"
  (cd "$work" && node "$root/bin/run.js" "$@" --json >"$work/stdout" 2>"$work/stderr")
  local rc=$?
  node "$here/scripts/json-normalise.mjs" "$work/stdout" "$rc" "$work" >"$out/$scenario/$name.json"
  printf '%-10s %-28s exit %s\n' "$scenario" "$name" "$rc" >&2
}

all_commands() {
  snap config-show config show
  snap config-validate config validate
  snap config-scrape config scrape
  snap config-scrape-full config scrape --full
  snap config-scrape-diff config scrape --diff
  snap config-init config init "$work/init-$scenario.yaml"
  snap health health
  snap targets targets
  snap targets-down targets --down
  snap alerts alerts
  snap alerts-no-am alerts --no-alertmanager
  snap cluster cluster
  snap gpu gpu
  snap inference inference
  snap query query 'up'
  snap query-range query 'up' --since 2m --step 30s
  snap query-bad query 'up{'
  snap logs logs '{job=~".+"}' --since 1h --limit 5
  snap loki-labels loki labels
  snap loki-label-values loki labels job
  snap tsdb-status tsdb status
  snap tsdb-delete-dry tsdb delete-series --match 'nothing_here_metric'
  snap tsdb-snapshot tsdb snapshot
  snap tsdb-compact tsdb compact
  snap exporter-status exporter status
  snap exporter-status-node exporter status hydra-compute
  snap firewall-check firewall check
  snap firewall-check-node firewall check hydra-storage
  snap docker-logdriver docker logdriver
  snap docker-logs docker logs tabbyapi --tail 3
  rm -rf "$work/backups-$scenario"
  snap backup-dashboards backup dashboards --dir "$work/backups-$scenario"
  snap backup-verify backup verify "$work/backups-$scenario"
  local b
  b=$(ls -d "$work/backups-$scenario"/dashboards-* 2>/dev/null | head -1)
  snap restore-dry restore dashboards "${b:-$work/none}" --dry-run
  snap doctor doctor
  snap timeout-bad health --timeout nonsense
  snap version version
  snap dashboards-list dashboards list
  snap dashboards-check dashboards check
  snap dashboards-generate dashboards generate
  snap datasources datasources
  snap rules-render rules render --offline
  snap rules-diff rules diff
  snap silence-list silence list
  snap silence-add-dry silence add --node hydra-compute --for 1h --comment 'json snapshot' --dry-run
  snap silence-expire-dry silence expire 5f0c1d2e-3a4b-4c5d-8e9f-0123456789ab --dry-run
  snap loki-canary loki canary
}

lab POST /reset
sleep 2
all_commands

scenario=faults
lab POST /components/node-exporter%40hydra-compute/stop
lab PUT /components/loki/fault '{"status":503,"body":"Ingester not ready: waiting for 15s after being ready","paths":["/ready"]}'
lab PATCH /components/gpu-exporter%40hydra-ai/state '{"gpus":[{"index":0,"temperatureC":95}]}' || true
sleep 4
snap health health
snap targets targets
snap targets-down targets --down
snap alerts alerts
snap cluster cluster
snap gpu gpu
snap exporter-status exporter status
snap doctor doctor
snap logs logs '{job=~".+"}' --since 1h --limit 5
snap loki-labels loki labels
snap datasources datasources
lab POST /reset
sleep 2

scenario=grafana-auth
lab PUT /components/grafana/fault '{"status":401,"body":"{\"message\":\"Unauthorized\"}","contentType":"application/json"}'
snap health health
rm -rf "$work/backups-$scenario"
snap backup-dashboards backup dashboards --dir "$work/backups-$scenario"
snap doctor doctor
lab POST /reset

scenario=grafana-500
lab PUT /components/grafana/fault '{"status":500,"body":"{\"message\":\"internal\"}","contentType":"application/json"}'
snap health health
rm -rf "$work/backups-$scenario"
snap backup-dashboards backup dashboards --dir "$work/backups-$scenario"
lab POST /reset
exit 0
