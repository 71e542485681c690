#!/usr/bin/env bash
# Installs what hydra needs and builds it:   scripts/install-deps.sh
# ... plus the test lab's Debian packages:    scripts/install-deps.sh --lab   (root)
# Idempotent: packages already present are not fetched again; node_modules is reused when the
# lock file has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

lab=no
[ "${1:-}" = "--lab" ] && lab=yes

# Debian packages: the lab's real servers (Prometheus 2.42, node exporter, Alertmanager, OpenSSH,
# iptables/nftables, Docker) and the tools the lab uses (ip, ps, ss, busybox for the test image).
DEBS=(prometheus prometheus-node-exporter prometheus-alertmanager openssh-server openssh-client
      iptables nftables docker.io busybox-static iproute2 procps openssl curl
      victoria-metrics)   # victoria-metrics ships vmalert too (issue 12)

missing=()
[ "$lab" = yes ] || DEBS=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install: ${missing[*]} (run with sudo)" >&2
    exit 2
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=node_modules/.hydra-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
npm run build --silent
