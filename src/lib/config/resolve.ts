/**
 * Turns the validated raw config into the resolved shape every command uses: defaults applied,
 * every HTTP service reduced to a base URL, every exporter tied to its node's address.
 */
import {sameHost} from '../net/hosts.js'
import {parseByteSize, parseDuration} from './units.js'
import type {AppConfig, AuthConfig, ExporterConfig, HydraConfigRaw, NodeConfig, TlsConfig} from './schema.js'

export const DEFAULT_TIMEOUT_MS = 5000
/**
 * Dashboards fetched at once by a backup. A backup is one small GET per dashboard, so its time is
 * latency × dashboards ÷ this number: at 64 a 1000-dashboard Grafana 20 ms away is saved in about
 * a second (bench/backup.ts). Lower it with backup.dashboards.concurrency for a fragile server.
 */
export const DEFAULT_DASHBOARD_CONCURRENCY = 64

export interface ResolvedEndpoint {
  /** stable id: prometheus, grafana, loki, alertmanager, or the app's name */
  id: string
  baseUrl: string
  node?: string
  headers: Record<string, string>
  auth?: AuthConfig
  tls?: TlsConfig
  timeoutMs: number
  required: boolean
}

export type ExporterManager = 'systemd' | 'container' | 'process'

export interface ResolvedExporter {
  /** `${node}/${name}`, e.g. hydra-compute/node */
  id: string
  node: string
  name: string
  address: string
  port: number
  scheme: 'http' | 'https'
  path: string
  job: string
  managedBy: ExporterManager
  unit?: string
  container?: string
  process?: string
  health?: string
  sudo: boolean
  /** http://address:port/path */
  url: string
}

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off'

export interface ResolvedSsh {
  user: string
  port: number
  alias?: string
  identityFile?: string
  agent: boolean
  hostKeys: HostKeyPolicy
  knownHosts?: string
  sshConfig?: string | false
  connectTimeoutMs: number
  commandTimeoutMs: number
  sudo: boolean
  /** one exec session for the reads asked for together (clients/ssh-batch.ts) */
  batch: boolean
}

export interface ResolvedNode {
  name: string
  address: string
  os: string
  ssh: ResolvedSsh
  firewall: 'auto' | 'iptables' | 'nftables' | 'none'
  exporters: ResolvedExporter[]
}

export type AppKind = 'tabbyapi' | 'ollama' | 'litellm' | 'qdrant' | 'generic'

export interface ResolvedApp extends ResolvedEndpoint {
  kind: AppKind
  health: string
  metrics?: string
  job?: string
  container?: string
}

export interface HydraConfig {
  cluster: string
  timeoutMs: number
  concurrency: number
  nodes: ResolvedNode[]
  prometheus: ResolvedEndpoint & {retention: {time?: string; timeMs?: number; size?: string; sizeBytes?: number}; container?: string}
  grafana?: ResolvedEndpoint & {orgId?: number; expectedDashboards: {title: string; gnetId?: number; uid?: string}[]}
  loki?: ResolvedEndpoint & {tenant?: string; container?: string; pushUrl?: string; queryTimeoutMs?: number}
  alertmanager?: ResolvedEndpoint
  apps: ResolvedApp[]
  backup: {dashboards?: {dir: string; keep?: number; maxAgeMs?: number; concurrency: number}}
  logs: {lokiDriverExpected: string[]; recentWithinMs: number; canary: boolean}
  thresholds: {rootDiskFreePercent: number; memoryAvailablePercent: number; gpuTemperatureCelsius: number; gpuMemoryUsedPercent: number; tsdbRetentionSizePercent: number}
  /** the validated config as written (for `config show`) */
  raw: HydraConfigRaw
}

const DEFAULT_JOBS: Record<string, string> = {node: 'node', gpu: 'nvidia-gpu', cadvisor: 'cadvisor'}
const APP_HEALTH: Record<AppKind, string> = {
  tabbyapi: '/health',
  ollama: '/api/tags',
  litellm: '/health/liveliness',
  qdrant: '/readyz',
  generic: '/',
}

export function hostForUrl(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address
}

interface EndpointInput {
  node?: string
  port?: number
  url?: string
  scheme?: 'http' | 'https'
  pathPrefix?: string
  headers?: Record<string, string>
  auth?: AuthConfig
  tls?: TlsConfig
  timeout?: string
  required?: boolean
}

export interface ResolveOptions {
  /** --timeout, overriding defaults.timeout */
  timeoutMs?: number
}

export function resolveConfig(raw: HydraConfigRaw, options: ResolveOptions = {}): HydraConfig {
  const timeoutMs = options.timeoutMs ?? parseDuration(raw.defaults?.timeout ?? '') ?? DEFAULT_TIMEOUT_MS
  const addressOf = new Map(Object.entries(raw.nodes).map(([n, c]) => [n, c.address]))

  const endpoint = (id: string, e: EndpointInput, requiredDefault = true): ResolvedEndpoint => {
    let baseUrl: string
    if (e.url) {
      baseUrl = e.url.replace(/\/+$/, '')
    } else {
      const address = addressOf.get(e.node!) ?? e.node!
      baseUrl = `${e.scheme ?? 'http'}://${hostForUrl(address)}:${e.port}${(e.pathPrefix ?? '').replace(/\/+$/, '')}`
    }
    return {
      id,
      baseUrl,
      node: e.node,
      headers: {...e.headers},
      auth: e.auth,
      tls: e.tls,
      // --timeout wins over everything; a per-service timeout wins over defaults.timeout
      timeoutMs: options.timeoutMs ?? parseDuration(e.timeout ?? '') ?? timeoutMs,
      required: e.required ?? requiredDefault,
    }
  }

  const nodes = Object.entries(raw.nodes).map(([name, n]) => resolveNode(name, n, raw, timeoutMs))
  const s = raw.services
  const r = s.prometheus.retention
  return {
    cluster: raw.cluster,
    timeoutMs,
    concurrency: raw.defaults?.concurrency ?? 8,
    nodes,
    prometheus: {
      ...endpoint('prometheus', s.prometheus),
      container: s.prometheus.container,
      retention: {
        time: r?.time,
        timeMs: r?.time ? parseDuration(r.time) : undefined,
        size: r?.size,
        sizeBytes: r?.size ? parseByteSize(r.size) : undefined,
      },
    },
    grafana: s.grafana ? {...endpoint('grafana', s.grafana), orgId: s.grafana.orgId, expectedDashboards: s.grafana.expectedDashboards ?? []} : undefined,
    loki: s.loki
      ? {
          ...endpoint('loki', s.loki),
          tenant: s.loki.tenant,
          container: s.loki.container,
          pushUrl: s.loki.pushUrl?.replace(/\/+$/, ''),
          queryTimeoutMs: s.loki.queryTimeout ? parseDuration(s.loki.queryTimeout) : undefined,
        }
      : undefined,
    alertmanager: s.alertmanager ? endpoint('alertmanager', s.alertmanager, false) : undefined,
    apps: Object.entries(raw.apps ?? {}).map(([name, a]) => resolveApp(name, a, endpoint)),
    backup: {
      dashboards: raw.backup?.dashboards
        ? {
            dir: raw.backup.dashboards.dir,
            keep: raw.backup.dashboards.keep,
            maxAgeMs: raw.backup.dashboards.maxAge ? parseDuration(raw.backup.dashboards.maxAge) : undefined,
            concurrency: raw.backup.dashboards.concurrency ?? DEFAULT_DASHBOARD_CONCURRENCY,
          }
        : undefined,
    },
    logs: {
      lokiDriverExpected: raw.logs?.lokiDriverExpected ?? [],
      recentWithinMs: parseDuration(raw.logs?.recentWithin ?? '') ?? 3_600_000,
      canary: raw.logs?.canary ?? false,
    },
    thresholds: {
      rootDiskFreePercent: raw.thresholds?.rootDiskFreePercent ?? 10,
      memoryAvailablePercent: raw.thresholds?.memoryAvailablePercent ?? 10,
      gpuTemperatureCelsius: raw.thresholds?.gpuTemperatureCelsius ?? 85,
      gpuMemoryUsedPercent: raw.thresholds?.gpuMemoryUsedPercent ?? 95,
      tsdbRetentionSizePercent: raw.thresholds?.tsdbRetentionSizePercent ?? 90,
    },
    raw,
  }
}

function resolveApp(name: string, a: AppConfig, endpoint: (id: string, e: EndpointInput) => ResolvedEndpoint): ResolvedApp {
  const kind: AppKind = a.kind ?? (name in APP_HEALTH ? (name as AppKind) : 'generic')
  return {...endpoint(name, a), kind, health: a.health ?? APP_HEALTH[kind], metrics: a.metrics, job: a.job, container: a.container}
}

function resolveNode(name: string, n: NodeConfig, raw: HydraConfigRaw, timeoutMs: number): ResolvedNode {
  const d = raw.defaults?.ssh ?? {}
  const s = n.ssh ?? {}
  const ssh: ResolvedSsh = {
    user: s.user ?? d.user ?? 'typhon',
    port: s.port ?? d.port ?? 22,
    alias: s.alias,
    identityFile: s.identityFile ?? d.identityFile,
    agent: s.agent ?? d.agent ?? true,
    hostKeys: s.hostKeys ?? d.hostKeys ?? 'strict',
    knownHosts: s.knownHosts ?? d.knownHosts,
    sshConfig: s.sshConfig ?? d.sshConfig,
    connectTimeoutMs: parseDuration(s.connectTimeout ?? d.connectTimeout ?? '') ?? timeoutMs,
    commandTimeoutMs: parseDuration(s.commandTimeout ?? d.commandTimeout ?? '') ?? Math.max(timeoutMs, 10_000),
    sudo: s.sudo ?? d.sudo ?? false,
    batch: s.batch ?? d.batch ?? false,
  }
  return {
    name,
    address: n.address,
    os: n.os ?? 'linux',
    ssh,
    firewall: n.firewall ?? 'auto',
    exporters: Object.entries(n.exporters ?? {}).map(([ename, e]) => resolveExporter(name, n.address, ename, e, ssh.sudo)),
  }
}

function resolveExporter(node: string, address: string, name: string, e: ExporterConfig, sudo: boolean): ResolvedExporter {
  const scheme = e.scheme ?? 'http'
  const path = e.path ?? '/metrics'
  return {
    id: `${node}/${name}`,
    node,
    name,
    address,
    port: e.port,
    scheme,
    path,
    job: e.job ?? DEFAULT_JOBS[name] ?? name,
    managedBy: e.managedBy,
    unit: e.unit,
    container: e.container,
    process: e.process,
    health: e.health,
    sudo: e.sudo ?? sudo,
    url: `${scheme}://${hostForUrl(address)}:${e.port}${path}`,
  }
}

/**
 * The node whose address or name matches a Prometheus instance label ("127.0.0.3:9100",
 * "hydra-ai:9100", "compute.lab:9100"): by name, by address, or by an address either resolves to
 * (after resolveHosts, see net/hosts.ts).
 */
export function nodeForInstance(cfg: HydraConfig, instance: string): ResolvedNode | undefined {
  const host = hostOfInstance(instance)
  return cfg.nodes.find((n) => n.address === host || n.name === host) ?? cfg.nodes.find((n) => sameHost(n.address, host))
}

export function hostOfInstance(instance: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(instance)
  if (bracket) return bracket[1]!
  const withScheme = instance.replace(/^[a-z]+:\/\//, '')
  const hostPort = withScheme.split('/')[0]!
  const parts = hostPort.split(':')
  return parts.length === 2 ? parts[0]! : hostPort
}
