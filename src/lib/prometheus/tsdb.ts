/**
 * The runbook's "Cleanup Old Metrics" and "Data Retention" steps, done with the API Prometheus
 * really has (api-facts.md §1, §9): head stats from /api/v1/status/tsdb, the retention the server
 * runs with against the config's expectation, and the three TSDB admin routes (snapshot,
 * delete_series, clean_tombstones). There is no compaction endpoint in any Prometheus, so nothing
 * here ever calls one.
 */
import type {HydraConfig} from '../config/resolve.js'
import {parseByteSize, parseDuration} from '../config/units.js'
import {formatBytes, formatDuration} from '../format.js'
import {ExitCode, OperationError, UserError, type ExitCodeValue} from '../errors.js'
import {backendOf, BACKEND_NAMES, retentionFix, type BackendInfo, type BackendKind} from './backend.js'
import {PrometheusApiError, UnsupportedPathError, type CallOptions, type PrometheusClient} from './client.js'
import {VM_DELETE_NEXT, vmCompact, vmDeleteSeriesCheck, vmRetention, vmSnapshot, vmTsdbStatus} from './tsdb-victoria.js'

/** GET /api/v1/status/tsdb data (web/api/v1/api.go TSDBStatus). */
export interface TsdbStatusData {
  headStats: {numSeries: number; numLabelPairs?: number; chunkCount: number; minTime: number; maxTime: number}
  seriesCountByMetricName: {name: string; value: number}[]
  labelValueCountByLabelName?: {name: string; value: number}[]
  memoryInBytesByLabelName?: {name: string; value: number}[]
  seriesCountByLabelValuePair?: {name: string; value: number}[]
}

export type PrometheusFlags = Record<string, string>

export interface RuntimeInfo {
  storageRetention?: string
  startTime?: string
  CWD?: string
  [key: string]: unknown
}

export interface Retention {
  /** undefined: no time limit */
  timeMs?: number
  /** undefined: no size limit */
  sizeBytes?: number
  /** how the server said it, e.g. "15d or 10GiB" */
  text: string
  source: 'runtimeinfo' | 'flags'
}

/** An operation this backend does not offer at all: said plainly, with where to do it instead. */
export class BackendLacksError extends OperationError {
  constructor(backend: Pick<BackendInfo, 'name'>, url: string, what: string, hint: string) {
    super('unsupported_by_backend', `${backend.name} at ${url} has no ${what}`, {hint})
  }
}

/** Thanos Query and Mimir keep no local TSDB to administer: what to do instead. */
function lacksAdmin(backend: BackendInfo, url: string, what: string): BackendLacksError | undefined {
  if (backend.kind === 'thanos')
    return new BackendLacksError(backend, url, what, 'Thanos Query only queries: run this against a Prometheus behind a sidecar (its --web.enable-admin-api), and let thanos compact handle object storage')
  if (backend.kind === 'mimir')
    return new BackendLacksError(backend, url, what, "Mimir's storage is managed by its compactor (-compactor.blocks-retention-period); it has no TSDB admin API")
  return undefined
}

/**
 * The retention the server applies. runtimeinfo's storageRetention is authoritative (it includes
 * the 15d default Prometheus applies when neither flag is set: the flags then read "0s" / "0B");
 * the flags are the fallback for servers or proxies that do not serve runtimeinfo. Pure.
 */
export function effectiveRetention(flags: PrometheusFlags | undefined, runtime: RuntimeInfo | undefined): Retention | undefined {
  const text = runtime?.storageRetention
  if (typeof text === 'string' && text.trim() !== '') {
    const r: Retention = {text, source: 'runtimeinfo'}
    for (const part of text.split(/\s+or\s+/)) {
      const ms = parseDuration(part)
      if (ms !== undefined) r.timeMs = ms
      else {
        const bytes = parseByteSize(part)
        if (bytes !== undefined) r.sizeBytes = bytes
      }
    }
    return r
  }
  if (!flags) return undefined
  const time = flags['storage.tsdb.retention.time']
  const size = flags['storage.tsdb.retention.size']
  if (time === undefined && size === undefined) return undefined
  const timeMs = time ? parseDuration(time) : undefined
  const sizeBytes = size ? parseByteSize(size) : undefined
  const r: Retention = {text: [time, size].filter(Boolean).join(' / '), source: 'flags'}
  if (timeMs) r.timeMs = timeMs
  if (sizeBytes) r.sizeBytes = sizeBytes
  // Prometheus's own rule: with neither limit set, time retention defaults to 15d
  if (!r.timeMs && !r.sizeBytes) r.timeMs = parseDuration('15d')
  return r
}

export interface RetentionCheck {
  expected: {time?: string; size?: string}
  actual?: Retention
  ok: boolean
  mismatches: string[]
}

/** The config's `services.prometheus.retention` against what the server runs with. Pure. */
export function compareRetention(cfg: HydraConfig, actual: Retention | undefined, backend?: Pick<BackendInfo, 'kind'>): RetentionCheck {
  const want = cfg.prometheus.retention
  const expected = {time: want.time, size: want.size}
  const mismatches: string[] = []
  if (want.timeMs === undefined && want.sizeBytes === undefined) return {expected, actual, ok: true, mismatches}
  if (!actual) {
    return {expected, actual, ok: false, mismatches: ['the server does not report its retention (no /api/v1/status/runtimeinfo or flags)']}
  }
  if (want.timeMs !== undefined && actual.timeMs !== want.timeMs) {
    mismatches.push(`time: expected ${want.time}, server runs with ${actual.timeMs === undefined ? 'no time limit' : formatDuration(actual.timeMs)}`)
  }
  if (want.sizeBytes !== undefined && backend?.kind === 'victoriametrics') {
    mismatches.push(`size: expected ${want.size}, but VictoriaMetrics has no size-based retention (only -retentionPeriod): drop services.prometheus.retention.size for this backend`)
  } else if (want.sizeBytes !== undefined && actual.sizeBytes !== want.sizeBytes) {
    // 10GB in the config and 10GiB on the server are the same: Prometheus reads GB as base 2
    mismatches.push(
      `size: expected ${want.size} (${formatBytes(want.sizeBytes)}), server runs with ${actual.sizeBytes === undefined ? 'no size limit' : formatBytes(actual.sizeBytes)}`,
    )
  }
  return {expected, actual, ok: mismatches.length === 0, mismatches}
}

export interface TsdbStatusReport {
  prometheus: string
  /** which server this is (backend.ts) */
  backend: {kind: BackendKind; name: string}
  /** Prometheus' head block; VictoriaMetrics has none (see `series`) */
  head?: {series: number; chunks: number; labelPairs?: number; minTime?: string; maxTime?: string; spanMs?: number}
  /** series in the head (Prometheus) or in the whole index (VictoriaMetrics' totalSeries) */
  series: number
  topSeriesByMetric: {metric: string; series: number}[]
  retention: RetentionCheck
  /** where the retention is set on this backend */
  retentionFix: string
  /** what the admin operations (tsdb snapshot, delete-series, compact) do on this backend */
  admin?: string
  /** undefined when the flags endpoint is not served (e.g. a Mimir or Thanos front) */
  adminApiEnabled?: boolean
  dataDir?: string
}

/** Head timestamps are ms; an empty head reports math.MaxInt64 / MinInt64, which mean "no data". */
function headTime(ms: number): string | undefined {
  return Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : undefined
}

export function buildTsdbStatus(
  prometheus: string,
  cfg: HydraConfig,
  tsdb: TsdbStatusData,
  flags: PrometheusFlags | undefined,
  runtime: RuntimeInfo | undefined,
  backend: Pick<BackendInfo, 'kind' | 'name'> = {kind: 'prometheus', name: BACKEND_NAMES.prometheus},
): TsdbStatusReport {
  const h = tsdb.headStats
  if (!h || typeof h.numSeries !== 'number') {
    throw new OperationError('tsdb_status_shape', `${prometheus} answered /api/v1/status/tsdb without Prometheus' headStats: not a Prometheus TSDB`, {
      hint: 'hydra tsdb status reads Prometheus and VictoriaMetrics; see hydra doctor --only prometheus for what this server is',
    })
  }
  const minTime = headTime(h.minTime)
  const maxTime = headTime(h.maxTime)
  const admin = flags?.['web.enable-admin-api']
  return {
    prometheus,
    backend: {kind: backend.kind, name: backend.name},
    series: h.numSeries,
    retentionFix: retentionFix(backend),
    head: {
      series: h.numSeries,
      chunks: h.chunkCount,
      ...(h.numLabelPairs === undefined ? {} : {labelPairs: h.numLabelPairs}),
      ...(minTime ? {minTime} : {}),
      ...(maxTime ? {maxTime} : {}),
      ...(minTime && maxTime ? {spanMs: h.maxTime - h.minTime} : {}),
    },
    topSeriesByMetric: (tsdb.seriesCountByMetricName ?? []).map((e) => ({metric: e.name, series: e.value})),
    retention: compareRetention(cfg, effectiveRetention(flags, runtime), backend),
    ...(admin === undefined ? {} : {adminApiEnabled: admin === 'true'}),
    ...(flags?.['storage.tsdb.path'] ? {dataDir: flags['storage.tsdb.path']} : {}),
  }
}

/** A status endpoint a proxy in front of Prometheus may not serve: absent rather than fatal. */
async function optional<T>(call: Promise<{data: T}>): Promise<T | undefined> {
  try {
    return (await call).data
  } catch (error) {
    if (error instanceof PrometheusApiError || error instanceof UnsupportedPathError || (error instanceof OperationError && /HTTP 404/.test(error.message))) return undefined
    throw error
  }
}

/** The retention the server runs with (runtimeinfo, else flags); undefined when it says neither. */
export async function serverRetention(prom: PrometheusClient, options: CallOptions = {}): Promise<Retention | undefined> {
  // VictoriaMetrics: its -retentionPeriod, read with the backend's flags (backend.ts)
  const backend = await backendOf(prom, options)
  if (backend.kind === 'victoriametrics') return vmRetention(backend.flags)
  const [flags, runtime] = await Promise.all([
    optional(prom.api<PrometheusFlags>('GET', '/api/v1/status/flags', options)),
    optional(prom.api<RuntimeInfo>('GET', '/api/v1/status/runtimeinfo', options)),
  ])
  return effectiveRetention(flags, runtime)
}

/** The exit policy of `hydra tsdb status`, pure: 1 when the retention differs from the config (or is not reported), else 0. */
export function tsdbStatusExitCode(retention: RetentionCheck): ExitCodeValue {
  return retention.ok ? ExitCode.OK : ExitCode.FAILURE
}

export async function tsdbStatus(prom: PrometheusClient, cfg: HydraConfig, options: {limit?: number} = {}): Promise<TsdbStatusReport & {exitCode: ExitCodeValue}> {
  const report = await tsdbStatusOf(prom, cfg, options)
  return {...report, exitCode: tsdbStatusExitCode(report.retention)}
}

async function tsdbStatusOf(prom: PrometheusClient, cfg: HydraConfig, options: {limit?: number}): Promise<TsdbStatusReport> {
  const limit = options.limit ?? 10
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UserError(`--limit must be 1-10000, not ${limit}`)
  const backend = await backendOf(prom)
  if (backend.kind === 'victoriametrics') return vmTsdbStatus(prom, cfg, backend, limit)
  const lacks = lacksAdmin(backend, prom.baseUrl, 'TSDB status (/api/v1/status/tsdb)')
  if (lacks) throw lacks
  const [tsdb, flags, runtime] = await Promise.all([
    prom.api<TsdbStatusData>('GET', '/api/v1/status/tsdb', {query: {limit}}),
    optional(prom.api<PrometheusFlags>('GET', '/api/v1/status/flags')),
    optional(prom.api<RuntimeInfo>('GET', '/api/v1/status/runtimeinfo')),
  ])
  const report = buildTsdbStatus(prom.baseUrl, cfg, tsdb.data, flags, runtime, backend)
  // Prometheus before 2.4x ignores `limit`; keep the promise of --limit either way
  report.topSeriesByMetric = report.topSeriesByMetric.slice(0, limit)
  return report
}

/** The admin API is off: say how to turn it on, instead of Prometheus's terse "admin APIs disabled". */
export class AdminApiDisabledError extends OperationError {
  constructor(prometheus: string, action: string) {
    super('admin_api_disabled', `cannot ${action}: the TSDB admin API of ${prometheus} is disabled ("admin APIs disabled")`, {
      hint: 'start Prometheus with --web.enable-admin-api (and restart it); check with: hydra tsdb status',
    })
  }
}

function isAdminDisabled(error: unknown): boolean {
  return error instanceof PrometheusApiError && error.errorType === 'unavailable' && /admin APIs disabled/i.test(error.apiError)
}

export async function adminCall<T>(prom: PrometheusClient, action: string, path: string, query?: Record<string, string | string[] | undefined>): Promise<T | undefined> {
  try {
    // POST bodies are not retried by the HTTP client: an admin call must not run twice
    const form: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) form[k] = v
    const res = await prom.http.request('POST', path, {form, okStatus: 'any'})
    if (res.status === 204) return undefined
    // everything else goes through the envelope handling of PrometheusClient
    const parsed = await prom.apiFromResponse<T>(res, path)
    return parsed.data
  } catch (error) {
    if (isAdminDisabled(error)) throw new AdminApiDisabledError(prom.baseUrl, action)
    throw error
  }
}

export interface CleanTombstonesResult {
  prometheus: string
  backend?: {kind: BackendKind; name: string}
  /** Prometheus: clean_tombstones; VictoriaMetrics: a forced merge of every partition */
  action?: 'clean_tombstones' | 'force_merge'
  /** what was done, in a sentence */
  done?: string
  cleanedTombstones: boolean
  snapshot?: SnapshotResult
  /** what the runbook's "force compaction" can and cannot do */
  explanation: string
}

export const COMPACTION_EXPLANATION =
  'Prometheus has no compaction endpoint (the runbook\'s POST /api/v1/admin/tsdb/compact never existed): the TSDB compacts its 2h head blocks into larger ones by itself, in the background, and retention removes old blocks. What can be done by hand is clean_tombstones, which rewrites blocks to drop series deleted with delete_series.'

export async function cleanTombstones(prom: PrometheusClient): Promise<void> {
  await adminCall(prom, 'clean tombstones', '/api/v1/admin/tsdb/clean_tombstones')
}

/** `hydra tsdb compact`: optionally a snapshot, then clean_tombstones. Never the non-existent compact route. */
export async function compactTsdb(prom: PrometheusClient, options: {snapshot?: boolean; skipHead?: boolean} = {}): Promise<CleanTombstonesResult> {
  const backend = await backendOf(prom)
  if (backend.kind === 'victoriametrics') return vmCompact(prom, backend, options)
  const lacks = lacksAdmin(backend, prom.baseUrl, 'compaction or tombstone cleaning')
  if (lacks) throw lacks
  const snapshot = options.snapshot ? await takeSnapshot(prom, {skipHead: options.skipHead}) : undefined
  await cleanTombstones(prom)
  return {
    prometheus: prom.baseUrl,
    backend: {kind: backend.kind, name: backend.name},
    action: 'clean_tombstones',
    done: `tombstones cleaned on ${prom.baseUrl} (POST /api/v1/admin/tsdb/clean_tombstones)`,
    cleanedTombstones: true,
    ...(snapshot ? {snapshot} : {}),
    explanation: COMPACTION_EXPLANATION,
  }
}

export interface SnapshotResult {
  name: string
  /** <data dir>/snapshots/<name>, on the server's host; undefined if the flags are not served */
  path?: string
  skipHead: boolean
}

export async function takeSnapshot(prom: PrometheusClient, options: {skipHead?: boolean} = {}): Promise<SnapshotResult> {
  const skipHead = options.skipHead ?? false
  const backend = await backendOf(prom)
  if (backend.kind === 'victoriametrics') return vmSnapshot(prom, backend, {skipHead})
  const lacks = lacksAdmin(backend, prom.baseUrl, 'TSDB snapshot API')
  if (lacks) throw lacks
  const data = await adminCall<{name: string}>(prom, 'take a snapshot', '/api/v1/admin/tsdb/snapshot', {skip_head: String(skipHead)})
  if (!data?.name) throw new OperationError('snapshot_no_name', `Prometheus at ${prom.baseUrl} answered the snapshot call without a snapshot name`)
  const flags = await optional(prom.api<PrometheusFlags>('GET', '/api/v1/status/flags'))
  const dataDir = flags?.['storage.tsdb.path']
  return {name: data.name, ...(dataDir ? {path: snapshotPath(dataDir, data.name)} : {}), skipHead}
}

export function snapshotPath(dataDir: string, name: string): string {
  return `${dataDir.replace(/\/+$/, '')}/snapshots/${name}`
}

export interface DeleteSeriesOptions {
  match: string[]
  /** RFC3339 or unix seconds, as Prometheus takes them */
  start?: string
  end?: string
  /** without it nothing is deleted */
  yes?: boolean
}

export interface DeleteSeriesResult {
  prometheus: string
  match: string[]
  start?: string
  end?: string
  /** every series the selectors match in the range */
  seriesCount: number
  /** the first few, for the human to look at */
  series: Record<string, string>[]
  deleted: boolean
  /** when not deleted: why */
  reason?: string
  next?: string
}

export const DELETE_SERIES_SHOWN = 20

export async function deleteSeries(prom: PrometheusClient, options: DeleteSeriesOptions): Promise<DeleteSeriesResult> {
  if (options.match.length === 0) throw new UserError('give at least one --match selector', {hint: "e.g. --match 'up{job=\"old\"}'"})
  const backend = await backendOf(prom)
  const vm = backend.kind === 'victoriametrics'
  if (vm) vmDeleteSeriesCheck(options)
  const lacks = lacksAdmin(backend, prom.baseUrl, 'series deletion API')
  if (lacks) throw lacks
  const range = {start: options.start, end: options.end}
  // the same selectors and range delete_series will get, so the count is what would go
  const {data: series} = await prom.api<Record<string, string>[]>('GET', '/api/v1/series', {query: {'match[]': options.match, ...range}})
  const base = {prometheus: prom.baseUrl, match: options.match, ...(options.start ? {start: options.start} : {}), ...(options.end ? {end: options.end} : {})}
  const shown = series.slice(0, DELETE_SERIES_SHOWN)
  if (series.length === 0) return {...base, seriesCount: 0, series: [], deleted: false, reason: 'no series match'}
  if (!options.yes) {
    return {...base, seriesCount: series.length, series: shown, deleted: false, reason: 'dry run: add --yes to delete'}
  }
  // VictoriaMetrics deletes whole series and refuses start/end (checked above)
  await adminCall(prom, 'delete series', '/api/v1/admin/tsdb/delete_series', vm ? {'match[]': options.match} : {'match[]': options.match, ...range})
  return {
    ...base,
    seriesCount: series.length,
    series: shown,
    deleted: true,
    next: vm ? VM_DELETE_NEXT : 'the data is only marked deleted (tombstones) until compaction; run hydra tsdb compact to clean the tombstones and free the space now',
  }
}
