/**
 * Scrape-target health (the runbook's `curl /api/v1/targets | jq`): one row per active target,
 * tied to the config's node by address, with the cause of each failure classified.
 */
import {hostOfInstance, nodeForInstance, type HydraConfig} from '../config/resolve.js'
import {ExitCode, type ExitCodeValue} from '../errors.js'
import {resolveHosts} from '../net/hosts.js'
import {backendOf, targetsElsewhereHint, type BackendInfo} from './backend.js'
import type {CallOptions, PrometheusClient} from './client.js'
import {compareNames} from '../order.js'

/** GET /api/v1/targets data (web/api/v1/api.go Target / TargetDiscovery). */
export interface ApiTarget {
  discoveredLabels?: Record<string, string>
  labels: Record<string, string>
  scrapePool: string
  scrapeUrl: string
  globalUrl?: string
  lastError: string
  lastScrape: string
  lastScrapeDuration: number
  health: 'up' | 'down' | 'unknown'
  scrapeInterval?: string
  scrapeTimeout?: string
}

export interface TargetsData {
  activeTargets: ApiTarget[]
  droppedTargets?: unknown[]
}

export type ScrapeErrorCause =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'dns'
  | 'http_status'
  | 'tls'
  | 'parse'
  | 'other'

export interface TargetRow {
  node?: string
  job: string
  instance: string
  scrapeUrl: string
  health: 'up' | 'down' | 'unknown'
  lastScrape?: string
  scrapeDurationSeconds: number
  lastError: string
  errorCause?: ScrapeErrorCause
  /** the job's scrape_timeout as Prometheus reports it (e.g. "10s"; Prometheus 2.30+) */
  scrapeTimeout?: string
}

export interface TargetsReport {
  prometheus: string
  /** which server answered (backend.ts) */
  backend?: {kind: BackendInfo['kind']; name: string}
  /**
   * Set when this server scrapes nothing (VictoriaMetrics without -promscrape.config, Mimir): the
   * targets live in whatever writes into it, so an empty list means "not here", never "none".
   */
  notScraping?: {message: string; hint: string}
  targets: TargetRow[]
  summary: {total: number; up: number; down: number; unknown: number}
  errorsByCause: {cause: ScrapeErrorCause; description: string; instances: string[]}[]
  /** targetsExitCode: 1 when a listed target is not up, or the server scrapes nothing */
  exitCode: ExitCodeValue
}

/** The exit policy of `hydra targets`, pure: 1 when any listed target is not up, or when the server scrapes nothing (the targets live elsewhere); else 0. */
export function targetsExitCode(report: Pick<TargetsReport, 'targets' | 'notScraping'>): ExitCodeValue {
  return report.notScraping || report.targets.some((t) => t.health !== 'up') ? ExitCode.FAILURE : ExitCode.OK
}

const CAUSE_TEXT: Record<ScrapeErrorCause, string> = {
  refused: 'connection refused: nothing listens on the port (exporter stopped?)',
  timeout: 'scrape timed out: host blackholed, firewall dropping, or exporter too slow',
  unreachable: 'no route to host: the node is down or off the network',
  dns: 'the target host name does not resolve',
  http_status: 'the exporter answered with an HTTP error',
  tls: 'TLS handshake failed',
  parse: 'the exporter answered, but not in Prometheus text format',
  other: 'other scrape error',
}

/** Prometheus's lastError text → a cause. Pure. */
export function classifyScrapeError(lastError: string): ScrapeErrorCause {
  const e = lastError.toLowerCase()
  if (e.includes('connection refused')) return 'refused'
  if (e.includes('context deadline exceeded') || e.includes('timeout') || e.includes('i/o timeout')) return 'timeout'
  if (e.includes('no route to host') || e.includes('network is unreachable') || e.includes('host is unreachable')) return 'unreachable'
  if (e.includes('no such host') || e.includes('server misbehaving')) return 'dns'
  if (e.includes('server returned http status')) return 'http_status'
  if (e.includes('x509') || e.includes('tls')) return 'tls'
  // Prometheus 3 refuses an answer without a text-format Content-Type: "received unsupported Content-Type …"
  if (e.includes('unsupported character') || e.includes('expected') || e.includes('invalid metric') || e.includes('unsupported content-type')) return 'parse'
  return 'other'
}

export function describeCause(cause: ScrapeErrorCause): string {
  return CAUSE_TEXT[cause]
}

export interface TargetFilter {
  job?: string
  down?: boolean
}

/** By node name; targets on no node of the config (another job's, a stray one) after every node's. */
function byNodeLast(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1
  return compareNames(a, b)
}

/** API data → rows, filtered and sorted by node, job, instance. Pure. */
export function buildTargetsReport(prometheus: string, data: TargetsData, cfg: HydraConfig, filter: TargetFilter = {}): TargetsReport {
  const all: TargetRow[] = (data.activeTargets ?? []).map((t) => {
    const instance = t.labels.instance ?? t.discoveredLabels?.__address__ ?? t.scrapeUrl
    const job = t.labels.job ?? t.scrapePool
    const row: TargetRow = {
      node: t.labels.node ?? nodeForInstance(cfg, instance)?.name,
      job,
      instance,
      scrapeUrl: t.scrapeUrl,
      health: t.health,
      lastScrape: t.lastScrape && !t.lastScrape.startsWith('0001-') ? t.lastScrape : undefined,
      scrapeDurationSeconds: t.lastScrapeDuration,
      lastError: t.lastError ?? '',
      ...(t.scrapeTimeout ? {scrapeTimeout: t.scrapeTimeout} : {}),
    }
    if (t.health !== 'up' && row.lastError) row.errorCause = classifyScrapeError(row.lastError)
    return row
  })
  const targets = all
    .filter((t) => !filter.job || t.job === filter.job)
    .filter((t) => !filter.down || t.health !== 'up')
    .sort((a, b) => byNodeLast(a.node, b.node) || compareNames(a.job, b.job) || compareNames(a.instance, b.instance))
  const byCause = new Map<ScrapeErrorCause, string[]>()
  for (const t of targets) if (t.errorCause) byCause.set(t.errorCause, [...(byCause.get(t.errorCause) ?? []), t.instance])
  return {
    prometheus,
    targets,
    summary: {
      total: targets.length,
      up: targets.filter((t) => t.health === 'up').length,
      down: targets.filter((t) => t.health === 'down').length,
      unknown: targets.filter((t) => t.health === 'unknown').length,
    },
    errorsByCause: [...byCause.entries()].map(([cause, instances]) => ({cause, description: CAUSE_TEXT[cause], instances})),
    exitCode: targetsExitCode({targets}),
  }
}

/** Node addresses given as DNS names, or targets scraped by name: resolve both (once per run) so they match by address. */
export async function resolveTargetHosts(cfg: HydraConfig, data: TargetsData): Promise<void> {
  await resolveHosts([...cfg.nodes.map((n) => n.address), ...(data.activeTargets ?? []).map((t) => hostOfInstance(t.labels.instance ?? t.scrapeUrl))])
}

export async function scrapeTargets(prom: PrometheusClient, cfg: HydraConfig, filter: TargetFilter = {}, options: CallOptions = {}): Promise<TargetsReport> {
  const backend = await backendOf(prom, options)
  const b = {kind: backend.kind, name: backend.name}
  if (backend.scrapes === false) return {...buildTargetsReport(prom.baseUrl, {activeTargets: []}, cfg, filter), backend: b, notScraping: notScrapingNote(backend, prom.baseUrl), exitCode: ExitCode.FAILURE}
  const {data} = await prom.api<TargetsData>('GET', '/api/v1/targets', {...options, query: {state: 'active'}})
  await resolveTargetHosts(cfg, data)
  const report = {...buildTargetsReport(prom.baseUrl, data, cfg, filter), backend: b}
  // flags unreadable: a VictoriaMetrics with no target at all, active or dropped, scrapes nothing
  if (backend.kind === 'victoriametrics' && (data.activeTargets ?? []).length === 0 && (data.droppedTargets ?? []).length === 0)
    return {...report, notScraping: notScrapingNote(backend, prom.baseUrl), exitCode: ExitCode.FAILURE}
  return report
}

/** What to say when the server scrapes nothing. Pure. */
export function notScrapingNote(backend: BackendInfo, url: string): {message: string; hint: string} {
  const why = backend.kind === 'victoriametrics' ? (backend.scrapes === false ? ' (started without -promscrape.config)' : ' (no scrape target, active or dropped)') : ''
  return {message: `${backend.name} at ${url} scrapes nothing${why}: its target list is not where the targets live`, hint: targetsElsewhereHint(backend)}
}
