#!/usr/bin/env bash
# The test lab's Docker engine (design.md §6). `ip netns exec` remounts /sys and hides the cgroup
# mounts dockerd needs, so dockerd runs OUTSIDE the lab's namespace; it needs no network: a unix
# socket under STATE_DIR, --bridge=none, no iptables, and containers with --network none.
#
#   eval "$(scripts/lab-dockerd.sh start STATE_DIR)"   # exports HYDRA_LAB_DOCKER_HOST=unix://STATE_DIR/docker.sock
#   scripts/lab-dockerd.sh stop STATE_DIR
#
# The lab reads HYDRA_LAB_DOCKER_HOST and gives it to the lab
# nodes' SSH sessions as DOCKER_HOST.
set -euo pipefail

cmd=${1:-}
state=${2:-}
if [[ -z "$cmd" || -z "$state" ]]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi
mkdir -p "$state"
state=$(cd "$state" && pwd)
sock="$state/docker.sock"
pidfile="$state/dockerd.pid"
export DOCKER_HOST="unix://$sock"
image=hydra-lab/busybox

# name driver [log-opt...]: the lab's containers. tabbyapi is on json-file although the lab config
# expects it on Loki (logs.lokiDriverExpected), so `hydra docker logdriver` must flag it.
containers=(
  "tabbyapi json-file"
  "loki json-file"
  "cadvisor local"
  "qdrant syslog --log-opt syslog-address=udp://127.0.0.1:514 --log-opt tag=qdrant"
  "litellm none"
)

start() {
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "dockerd already runs (pid $(cat "$pidfile"))" >&2
  else
    rm -f "$sock" "$pidfile"
    dockerd \
      --data-root "$state/docker" \
      --exec-root "$state/exec" \
      --pidfile "$pidfile" \
      --host "unix://$sock" \
      --bridge=none --iptables=false --ip6tables=false \
      >"$state/dockerd.log" 2>&1 &
    for _ in $(seq 1 150); do
      if [[ -S "$sock" ]] && docker version >/dev/null 2>&1; then break; fi
      if ! kill -0 $! 2>/dev/null; then
        echo "dockerd exited; last lines of $state/dockerd.log:" >&2
        tail -n 20 "$state/dockerd.log" >&2
        exit 1
      fi
      sleep 0.2
    done
    docker version >/dev/null 2>&1 || { echo "dockerd did not answer on $sock within 30s" >&2; tail -n 20 "$state/dockerd.log" >&2; exit 1; }
  fi

  if ! docker image inspect "$image" >/dev/null 2>&1; then
    local root
    root=$(mktemp -d)
    mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    for app in sh sleep echo cat date; do ln -s busybox "$root/bin/$app"; done
    tar -C "$root" -c . | docker import - "$image" >/dev/null
    rm -rf "$root"
  fi

  for spec in "${containers[@]}"; do
    read -r -a parts <<<"$spec"
    local name=${parts[0]} driver=${parts[1]}
    docker rm -f "$name" >/dev/null 2>&1 || true
    docker run -d --name "$name" --network none --log-driver "$driver" "${parts[@]:2}" "$image" \
      /bin/sh -c "echo \"$name: starting (hydra lab, $driver log driver)\"; echo \"$name: level=info msg=ready\"; echo \"$name: level=error msg=example error\" >&2; exec sleep 2147483647" >/dev/null
  done
  # for `eval "$(scripts/lab-dockerd.sh start DIR)"` in scripts/test.sh
  echo "export HYDRA_LAB_DOCKER_HOST=unix://$sock"
}

stop() {
  if [[ -S "$sock" ]]; then
    for spec in "${containers[@]}"; do
      docker rm -f "${spec%% *}" >/dev/null 2>&1 || true
    done
  fi
  if [[ -f "$pidfile" ]]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$pidfile"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
