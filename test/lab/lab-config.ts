/**
 * The lab's cluster: the runbook's Hydra cluster moved onto loopback addresses inside the lab's
 * network namespace. The lab writes this config for hydra to read (HYDRA_CONFIG) and places its
 * real servers and stand-ins at the addresses it names.
 */
import {join} from 'node:path'

export const LAB_NODES = {
  'hydra-storage': '127.0.0.2',
  'hydra-compute': '127.0.0.3',
  'hydra-ai': '127.0.0.4',
} as const

export type LabNodeName = keyof typeof LAB_NODES

/**
 * The N-node mode (bench/doctor.ts): extra NixOS-like nodes node1…nodeN on 127.0.2.1…, each with
 * a real sshd and node exporter (names nodeN.lab in test/lab/netns-hosts).
 */
export function labExtraNodes(count: number): {name: string; address: string}[] {
  if (!Number.isInteger(count) || count < 0 || count > 250) throw new Error(`extra lab nodes: 0-250, got ${count}`)
  return Array.from({length: count}, (_, i) => ({name: `node${i + 1}`, address: `127.0.2.${i + 1}`}))
}

function extraNodesYaml(count: number): string {
  return labExtraNodes(count)
    .map(
      (n) => `  ${n.name}:
    address: ${n.address}
    os: nixos
    exporters:
      node:
        port: ${LAB_PORTS.nodeExporter}
        managedBy: systemd
        unit: prometheus-node-exporter.service
`,
    )
    .join('')
}

export const LAB_PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3003,
  loki: 3100,
  nodeExporter: 9100,
  gpuExporter: 9835,
  cadvisor: 8080,
  qdrant: 6333,
  tabbyapi: 5000,
  ollama: 11434,
  litellm: 4000,
} as const

export interface LabConfigPaths {
  stateDir: string
  /** file holding the Grafana service-account token the Grafana stand-in accepts */
  grafanaTokenFile: string
  /** file holding the LiteLLM master key the LiteLLM stand-in accepts */
  litellmKeyFile: string
  /** where the lab's prometheus.yml lives */
  prometheusConfigPath: string
}

export function labConfigPaths(stateDir: string): LabConfigPaths {
  return {
    stateDir,
    grafanaTokenFile: join(stateDir, 'secrets', 'grafana-token'),
    litellmKeyFile: join(stateDir, 'secrets', 'litellm-key'),
    prometheusConfigPath: join(stateDir, 'prometheus', 'prometheus.yml'),
  }
}

/** JSON is valid YAML: every interpolated path is quoted safely whatever characters it holds. */
const q = (s: string) => JSON.stringify(s)

export function labConfigYaml(paths: LabConfigPaths, options: {extraNodes?: number} = {}): string {
  const n = LAB_NODES
  const p = LAB_PORTS
  const s = paths.stateDir
  return `# hydra config written by the test lab (test/lab/lab-config.ts): the runbook's cluster on loopback
# addresses inside the lab's network namespace. Secrets are files under ${s}/secrets.
cluster: hydra-lab

defaults:
  timeout: 2s
  ssh:
    user: root
    port: 22
    hostKeys: strict
    knownHosts: ${q(join(s, 'known_hosts'))}
    identityFile: ${q(join(s, 'id_ed25519'))}
    agent: false
    sshConfig: false

nodes:
  hydra-storage:
    address: ${n['hydra-storage']}
    os: unraid
    firewall: iptables
    exporters:
      node:
        port: ${p.nodeExporter}
        managedBy: process
        process: prometheus-node-exporter
      cadvisor:
        port: ${p.cadvisor}
        managedBy: container
        container: cadvisor
        health: /healthz
  hydra-compute:
    address: ${n['hydra-compute']}
    os: nixos
    exporters:
      node:
        port: ${p.nodeExporter}
        managedBy: systemd
        unit: prometheus-node-exporter.service
      gpu:
        port: ${p.gpuExporter}
        managedBy: systemd
        unit: prometheus-nvidia-gpu-exporter.service
  hydra-ai:
    address: ${n['hydra-ai']}
    os: nixos
    exporters:
      node:
        port: ${p.nodeExporter}
        managedBy: systemd
        unit: prometheus-node-exporter.service
      gpu:
        port: ${p.gpuExporter}
        managedBy: systemd
        unit: prometheus-nvidia-gpu-exporter.service
${extraNodesYaml(options.extraNodes ?? 0)}
services:
  prometheus:
    node: hydra-storage
    port: ${p.prometheus}
    retention: {time: 15d, size: 10GB}
    configPath: ${q(paths.prometheusConfigPath)}
  grafana:
    node: hydra-storage
    port: ${p.grafana}
    auth:
      tokenFile: ${q(paths.grafanaTokenFile)}
    expectedDashboards:
      - {title: Node Exporter Full, gnetId: 1860}
  loki:
    node: hydra-storage
    port: ${p.loki}
    container: loki
    tenant: hydra              # the Loki stand-in runs multi-tenant (auth_enabled: true); its lines belong to hydra
  alertmanager:
    node: hydra-storage
    port: ${p.alertmanager}
    required: false

apps:
  tabbyapi:
    node: hydra-ai
    port: ${p.tabbyapi}
    health: /health
    container: tabbyapi
  ollama:
    node: hydra-ai
    port: ${p.ollama}
    health: /api/tags
  litellm:
    node: hydra-storage
    port: ${p.litellm}
    health: /health/liveliness
    auth:
      tokenFile: ${q(paths.litellmKeyFile)}
  qdrant:
    node: hydra-storage
    port: ${p.qdrant}
    health: /readyz
    metrics: /metrics

backup:
  dashboards:
    dir: ${q(join(s, 'backups', 'grafana'))}
    keep: 30
    maxAge: 36h

logs:
  lokiDriverExpected: [tabbyapi]
  recentWithin: 1h

thresholds:
  rootDiskFreePercent: 10
  memoryAvailablePercent: 10
`
}
