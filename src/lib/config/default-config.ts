/**
 * The embedded default: the Hydra cluster of the runbook, with the runbook's mistakes corrected
 * (api-facts.md §9). Kept as YAML text so that `hydra config init` writes it with its comments
 * and `hydra config show` can list the assumptions it makes.
 *
 * Lines carrying `# assumption:` are collected by `defaultAssumptions()`.
 */

export const DEFAULT_CONFIG_YAML = `# hydra cluster config: the Hydra cluster of the monitoring runbook.
# Secrets are never written here: name an environment variable or a file (tokenEnv, passwordFile, ...).
cluster: hydra

defaults:
  timeout: 5s                 # every HTTP request and SSH connect
  ssh:
    user: typhon
    port: 22
    hostKeys: strict          # strict | accept-new | off
    sudo: true                # firewall reads need root: run them with sudo -n

nodes:
  hydra-storage:
    address: 192.168.1.244
    os: unraid
    firewall: iptables
    exporters:
      node:
        port: 9100
        managedBy: container
        container: node-exporter   # assumption: on Unraid the node exporter runs as a Docker container named node-exporter
      cadvisor:
        port: 8080
        managedBy: container
        container: cadvisor        # assumption: cAdvisor runs as a container named cadvisor
        health: /healthz
      postgres:
        port: 9187
        managedBy: container
        container: postgres-exporter  # assumption: postgres_exporter (default port 9187) runs on hydra-storage
      redis:
        port: 9121
        managedBy: container
        container: redis-exporter     # assumption: redis_exporter (default port 9121) runs on hydra-storage
  hydra-compute:
    address: 192.168.1.203
    os: nixos
    exporters:
      node:
        port: 9100
        managedBy: systemd
        unit: prometheus-node-exporter.service
      gpu:
        port: 9835             # utkuozdemir/nvidia_gpu_exporter: metrics are nvidia_smi_*, not nvidia_gpu_*
        managedBy: systemd
        unit: prometheus-nvidia-gpu-exporter.service
  hydra-ai:
    address: 192.168.1.250
    os: nixos
    exporters:
      node:
        port: 9100
        managedBy: systemd
        unit: prometheus-node-exporter.service
      gpu:
        port: 9835
        managedBy: systemd
        unit: prometheus-nvidia-gpu-exporter.service

services:
  prometheus:
    node: hydra-storage
    port: 9090
    retention: {time: 15d, size: 10GB}   # Prometheus reads 10GB as 10GiB (base 2) and reports it so
    configPath: /mnt/user/appdata/prometheus/prometheus.yml
    container: prometheus      # assumption: Prometheus runs as a container named prometheus on Unraid
  grafana:
    node: hydra-storage
    port: 3003
    auth:
      tokenEnv: HYDRA_GRAFANA_TOKEN   # a service-account token; the runbook's admin:admin is not used
    expectedDashboards:        # the runbook's "Installed Dashboards"
      - {title: Node Exporter Full, gnetId: 1860}
      - {title: NVIDIA DCGM, gnetId: 12239}
      - {title: Docker Containers, gnetId: 893}
      - {title: Hydra AI Control Plane, uid: hydra-ai-control-plane}   # hydra dashboards generate
  loki:
    node: hydra-storage
    port: 3100
    container: loki
  alertmanager:
    node: hydra-storage
    port: 9093
    required: false            # optional in the runbook: reported, never fails a run

apps:
  tabbyapi:
    node: hydra-ai             # assumption: TabbyAPI runs on hydra-ai (the runbook's scrape config targets .250:5000)
    port: 5000
    health: /health            # TabbyAPI has no /metrics on main; /health is its probe
    container: tabbyapi
  ollama:
    node: hydra-ai             # assumption: Ollama runs on hydra-ai; the runbook does not say where
    port: 11434
    health: /api/tags
  litellm:
    node: hydra-storage        # assumption: LiteLLM runs on hydra-storage; the runbook does not say where
    port: 4000
    health: /health/liveliness # /health needs a key and calls every model; the liveness probe does not
  qdrant:
    node: hydra-storage
    port: 6333
    health: /readyz
    metrics: /metrics

backup:
  dashboards:
    dir: /mnt/user/backups/grafana
    keep: 30
    maxAge: 36h                # doctor: a nightly backup older than this is stale

logs:
  lokiDriverExpected: [tabbyapi]
  recentWithin: 1h

thresholds:
  rootDiskFreePercent: 10
  memoryAvailablePercent: 10
`

export function defaultAssumptions(): string[] {
  return DEFAULT_CONFIG_YAML.split('\n')
    .map((line) => /#\s*assumption:\s*(.*)$/.exec(line)?.[1]?.trim())
    .filter((s): s is string => Boolean(s))
}
