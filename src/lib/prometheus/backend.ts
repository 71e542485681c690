/**
 * Which Prometheus-compatible server `services.prometheus` really is (api-facts.md §1, §11), found
 * once per run from what its documented endpoints answer, and what that server does and does not
 * do. VictoriaMetrics cannot be told by its buildinfo (empty, or a fixed "2.24.0" since v1.96): its
 * `/-/ready` body, its `X-Server-Hostname` header and its 400 "unsupported path requested" answers
 * give it away. Thanos Query answers buildinfo with its own version and serves Thanos flags; Mimir's
 * buildinfo names "Grafana Mimir" and carries `features` (Grafana's own heuristic).
 */
import type {HttpResponse} from '../clients/http/index.js'
import {parseDuration} from '../config/units.js'
import type {PrometheusClient} from './client.js'

export type BackendKind = 'prometheus' | 'victoriametrics' | 'thanos' | 'mimir' | 'unknown'

export const BACKEND_NAMES: Record<BackendKind, string> = {
  prometheus: 'Prometheus',
  victoriametrics: 'VictoriaMetrics',
  thanos: 'Thanos Query',
  mimir: 'Grafana Mimir',
  unknown: 'the Prometheus-compatible server',
}

export interface BackendInfo {
  kind: BackendKind
  /** e.g. "VictoriaMetrics" */
  name: string
  /** from buildinfo, when it is the server's own (never VictoriaMetrics': it does not report one) */
  version?: string
  /** what identified it, e.g. `/-/ready: "VictoriaMetrics is Ready."` */
  evidence: string[]
  /**
   * Command-line flags, when the server tells them: Prometheus and Thanos from /api/v1/status/flags
   * (every flag), VictoriaMetrics from /flags (only the flags set, as `name` → value, no dash).
   */
  flags?: Record<string, string>
  /** does the server scrape targets itself? undefined: it cannot be told */
  scrapes?: boolean
  /** does something evaluate rules behind /api/v1/rules? undefined: it cannot be told */
  ruleEngine?: boolean
}

/** One answer seen while probing (undefined: the request failed: refused, timed out, …). */
export interface ProbeAnswer {
  status: number
  headers: Record<string, string>
  text: string
}

export interface BackendProbe {
  /** GET /-/ready */
  ready?: ProbeAnswer
  /** GET /api/v1/status/buildinfo */
  buildinfo?: ProbeAnswer
  /** GET /api/v1/status/flags */
  statusFlags?: ProbeAnswer
}

function json(a: ProbeAnswer | undefined): any {
  if (!a || a.status !== 200) return undefined
  try {
    return JSON.parse(a.text)
  } catch {
    return undefined
  }
}

const clip = (s: string) => JSON.stringify(s.trim().split('\n')[0]!.slice(0, 60))

/** VictoriaMetrics' /flags text (`-name="value"` per line) → name → value. Pure. */
export function parseVmFlags(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^-([\w.-]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/.exec(line.trim())
    if (m) out[m[1]!] = m[2] === undefined ? (m[3] ?? '') : m[2].replace(/\\(.)/g, '$1')
  }
  return out
}

/** Which server answered these probes. Pure. */
export function identifyBackend(p: BackendProbe): BackendInfo {
  const answers = [p.ready, p.buildinfo, p.statusFlags].filter((a): a is ProbeAnswer => a !== undefined)
  const info = (kind: BackendKind, evidence: string[], extra: Partial<BackendInfo> = {}): BackendInfo => ({kind, name: BACKEND_NAMES[kind], evidence, ...extra})
  const build = json(p.buildinfo)?.data as Record<string, unknown> | undefined
  const flags = json(p.statusFlags)?.data as Record<string, string> | undefined
  const version = typeof build?.version === 'string' && build.version !== '' ? build.version : undefined

  const app = typeof build?.application === 'string' ? build.application : ''
  const features = build?.features
  if (/mimir/i.test(app) || (features && typeof features === 'object' && Object.keys(features).length > 0))
    return info('mimir', [`/api/v1/status/buildinfo: ${app ? `application ${clip(app)}` : 'carries features'}`], {...(version ? {version} : {}), scrapes: false})

  const vmEvidence: string[] = []
  if (p.ready && /VictoriaMetrics/.test(p.ready.text)) vmEvidence.push(`/-/ready: ${clip(p.ready.text)}`)
  if (p.statusFlags && p.statusFlags.status === 400 && /unsupported path requested/.test(p.statusFlags.text))
    vmEvidence.push('/api/v1/status/flags: 400 "unsupported path requested"')
  if (answers.some((a) => a.headers['x-server-hostname'] !== undefined)) vmEvidence.push('X-Server-Hostname header')
  if (vmEvidence.length > 0) return info('victoriametrics', vmEvidence)

  if (flags && typeof flags === 'object' && ('query.replica-label' in flags || 'grpc-address' in flags))
    return info('thanos', ['/api/v1/status/flags: Thanos flags (query.replica-label, grpc-address)'], {...(version ? {version} : {}), flags})
  if (p.ready && /Prometheus (Server|Agent) is Ready/.test(p.ready.text))
    return info('prometheus', [`/-/ready: ${clip(p.ready.text)}`], {...(version ? {version} : {}), ...(flags ? {flags} : {}), scrapes: true, ruleEngine: !/Agent/.test(p.ready.text)})
  if (flags && typeof flags === 'object' && 'storage.tsdb.path' in flags)
    return info('prometheus', ['/api/v1/status/flags: storage.tsdb.path'], {...(version ? {version} : {}), flags, scrapes: true, ruleEngine: true})
  return info('unknown', answers.length > 0 ? ['no answer names the server'] : ['the server did not answer the identifying requests'], {
    ...(version ? {version} : {}),
    ...(flags ? {flags} : {}),
  })
}

/** What a VictoriaMetrics' flags say it does. Pure. */
export function withVmFlags(info: BackendInfo, flags: Record<string, string> | undefined): BackendInfo {
  if (!flags) return info
  return {
    ...info,
    flags,
    evidence: [...info.evidence, '/flags'],
    scrapes: (flags['promscrape.config'] ?? '') !== '',
    ruleEngine: (flags['vmalert.proxyURL'] ?? '') !== '',
  }
}

async function probe(prom: PrometheusClient, path: string, signal?: AbortSignal): Promise<ProbeAnswer | undefined> {
  try {
    const res: HttpResponse = await prom.http.request('GET', path, {okStatus: 'any', retries: 0, ...(signal ? {signal} : {})})
    return {status: res.status, headers: res.headers, text: res.text().slice(0, 64 * 1024)}
  } catch {
    return undefined
  }
}

/** Ask the server who it is: three requests in parallel, plus VictoriaMetrics' /flags. Never throws. */
export async function detectBackend(prom: PrometheusClient, options: {signal?: AbortSignal} = {}): Promise<BackendInfo> {
  const [ready, buildinfo, statusFlags] = await Promise.all([
    probe(prom, '/-/ready', options.signal),
    probe(prom, '/api/v1/status/buildinfo', options.signal),
    probe(prom, '/api/v1/status/flags', options.signal),
  ])
  const info = identifyBackend({ready, buildinfo, statusFlags})
  if (info.kind !== 'victoriametrics') return info
  const flags = await probe(prom, '/flags', options.signal)
  return withVmFlags(info, flags?.status === 200 ? parseVmFlags(flags.text) : undefined)
}

const detected = new WeakMap<PrometheusClient, Promise<BackendInfo>>()

/** The backend behind this client, detected once per client (one client per run). */
export function backendOf(prom: PrometheusClient, options: {signal?: AbortSignal} = {}): Promise<BackendInfo> {
  let p = detected.get(prom)
  if (!p) {
    p = detectBackend(prom, options)
    detected.set(prom, p)
  }
  return p
}

/** Tests and callers that already know (e.g. from a fixture) can set it. */
export function setBackend(prom: PrometheusClient, info: BackendInfo): void {
  detected.set(prom, Promise.resolve(info))
}

// --- what each backend offers -----------------------------------------------------------------

/** VictoriaMetrics' -retentionPeriod: h/d/w/y suffixes, a bare number is months of 31 days (lib/flagutil). Pure. */
export function parseVmRetention(value: string): number | undefined {
  const v = value.trim()
  const bare = /^(\d+(?:\.\d+)?)$/.exec(v)
  if (bare) return Number(bare[1]) * 31 * 24 * 3600 * 1000
  const m = /^(\d+(?:\.\d+)?)(h|d|w|y)$/.exec(v)
  if (m) return Number(m[1]) * {h: 3600e3, d: 86_400e3, w: 7 * 86_400e3, y: 365 * 86_400e3}[m[2] as 'h' | 'd' | 'w' | 'y']
  return parseDuration(v)
}

/** Where the retention is set on this backend: the fix a retention hint should name. Pure. */
export function retentionFix(backend: Pick<BackendInfo, 'kind'> | undefined): string {
  switch (backend?.kind) {
    case 'victoriametrics':
      return 'set -retentionPeriod on VictoriaMetrics (a command-line flag, e.g. -retentionPeriod=15d; a bare number means months; there is no size limit), or fix services.prometheus.retention in the hydra config'
    case 'thanos':
      return "retention of Thanos data is the compactor's --retention.resolution-raw/-5m/-1h flags and each Prometheus's own --storage.tsdb.retention.time; or fix services.prometheus.retention in the hydra config"
    case 'mimir':
      return 'set -compactor.blocks-retention-period on Mimir (or per tenant), or fix services.prometheus.retention in the hydra config'
    default:
      return 'set --storage.tsdb.retention.time / --storage.tsdb.retention.size on Prometheus (command-line flags, not prometheus.yml keys), or fix services.prometheus.retention in the hydra config'
  }
}

/** Where scrape targets live when this backend scrapes nothing. Pure. */
export function targetsElsewhereHint(backend: BackendInfo): string {
  if (backend.kind === 'victoriametrics')
    return 'the scraper that writes into it (vmagent, or a Prometheus with remote_write) serves /api/v1/targets: point services.prometheus at it for hydra targets, or start VictoriaMetrics with -promscrape.config'
  if (backend.kind === 'mimir') return 'Mimir never scrapes: the Prometheus, Grafana Agent or Alloy that remote-writes into it has the targets; point services.prometheus at it for hydra targets'
  return 'point services.prometheus at the server that scrapes the targets'
}

/** Where rules would be evaluated, when nothing evaluates them behind this backend. Pure. */
export function noRuleEngineHint(backend: BackendInfo): string {
  if (backend.kind === 'victoriametrics')
    return 'VictoriaMetrics evaluates no rules itself: run vmalert with your rule files and start VictoriaMetrics with -vmalert.proxyURL=http://<vmalert>:8880, or point services.prometheus at the server that evaluates them'
  return 'point services.prometheus at the server that evaluates the alert rules'
}
