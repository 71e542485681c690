/**
 * `hydra tsdb …` on VictoriaMetrics (api-facts.md §11), with what it really offers: series count
 * and top metrics from /api/v1/status/tsdb (`totalSeries`, `topN`; no head block), retention from
 * its -retentionPeriod flag, snapshots from /snapshot/create (<-storageDataPath>/snapshots/<name>),
 * whole-series deletion (no time range: it answers 400 to start/end) and, instead of Prometheus'
 * clean_tombstones, a forced merge (/internal/force_merge) that drops deleted data from disk.
 */
import type {HydraConfig} from '../config/resolve.js'
import {OperationError, UserError} from '../errors.js'
import {retentionFix, parseVmRetention, type BackendInfo} from './backend.js'
import type {PrometheusClient} from './client.js'
import {compareRetention, snapshotPath, type CleanTombstonesResult, type DeleteSeriesOptions, type Retention, type SnapshotResult, type TsdbStatusReport} from './tsdb.js'

/** GET /api/v1/status/tsdb data on VictoriaMetrics (app/vmselect/prometheus TSDBStatus). */
export interface VmTsdbStatusData {
  totalSeries: number
  totalLabelValuePairs?: number
  seriesCountByMetricName?: {name: string; value: number}[]
}

/** VictoriaMetrics' retention from its flags (undefined: /flags not readable). Default 1 = one month. Pure. */
export function vmRetention(flags: Record<string, string> | undefined): Retention | undefined {
  if (!flags) return undefined
  const set = flags.retentionPeriod
  const value = set ?? '1'
  const timeMs = parseVmRetention(value)
  return {text: `-retentionPeriod=${value}${set === undefined ? ' (the default: 1 month)' : ''}`, source: 'flags', ...(timeMs === undefined ? {} : {timeMs})}
}

export const VM_ADMIN =
  'snapshots: /snapshot/create; series deletion: /api/v1/admin/tsdb/delete_series (whole series, no time range); compaction: /internal/force_merge'

export const VM_DELETE_NEXT =
  'VictoriaMetrics hides the deleted series at once and drops their data from disk at its next background merge; hydra tsdb compact forces that merge now'

export const VM_COMPACTION_EXPLANATION =
  'VictoriaMetrics merges its data parts by itself in the background and keeps no tombstones; data of deleted series leaves the disk at the next merge. /internal/force_merge starts a merge of every monthly partition now (it runs in the background and needs free disk space while it runs).'

/** VictoriaMetrics' tsdb status → hydra's report. Pure. */
export function buildVmTsdbStatus(url: string, cfg: HydraConfig, data: VmTsdbStatusData, backend: BackendInfo, limit: number): TsdbStatusReport {
  if (typeof data?.totalSeries !== 'number')
    throw new OperationError('tsdb_status_shape', `VictoriaMetrics at ${url} answered /api/v1/status/tsdb without totalSeries`)
  const dataDir = backend.flags?.storageDataPath
  return {
    prometheus: url,
    backend: {kind: backend.kind, name: backend.name},
    series: data.totalSeries,
    topSeriesByMetric: (data.seriesCountByMetricName ?? []).slice(0, limit).map((e) => ({metric: e.name, series: e.value})),
    retention: compareRetention(cfg, vmRetention(backend.flags), backend),
    retentionFix: retentionFix(backend),
    admin: VM_ADMIN,
    ...(dataDir ? {dataDir} : {}),
  }
}

export async function vmTsdbStatus(prom: PrometheusClient, cfg: HydraConfig, backend: BackendInfo, limit: number): Promise<TsdbStatusReport> {
  // VictoriaMetrics' size parameter is topN; Prometheus' limit is ignored there
  const {data} = await prom.api<VmTsdbStatusData>('GET', '/api/v1/status/tsdb', {query: {topN: limit}})
  return buildVmTsdbStatus(prom.baseUrl, cfg, data, backend, limit)
}

export async function vmSnapshot(prom: PrometheusClient, backend: BackendInfo, options: {skipHead: boolean}): Promise<SnapshotResult> {
  if (options.skipHead) throw new UserError('--skip-head: VictoriaMetrics has no head block; its snapshots always hold everything', {hint: 'run hydra tsdb snapshot without --skip-head'})
  // not retried: a snapshot must not be taken twice
  const res = await prom.http.request('POST', '/snapshot/create', {okStatus: 'any', retries: 0})
  let body: {status?: string; snapshot?: string; msg?: string} | undefined
  try {
    body = JSON.parse(res.text()) as typeof body
  } catch {
    body = undefined
  }
  if (res.status !== 200 || body?.status !== 'ok' || !body.snapshot) {
    throw new OperationError('snapshot_failed', `VictoriaMetrics at ${prom.baseUrl} did not take a snapshot: HTTP ${res.status} ${res.text().trim().slice(0, 200)}`, {
      hint: 'check its log; a -snapshotAuthKey, if set, must be passed as authKey',
    })
  }
  const dataDir = backend.flags?.storageDataPath
  return {name: body.snapshot, ...(dataDir ? {path: snapshotPath(dataDir, body.snapshot)} : {}), skipHead: false}
}

/** VictoriaMetrics deletes whole series: a time range would be refused (HTTP 400), so say so first. */
export function vmDeleteSeriesCheck(options: DeleteSeriesOptions): void {
  if (options.start !== undefined || options.end !== undefined)
    throw new UserError('--start/--end: VictoriaMetrics deletes whole series, it cannot delete a time range (its delete_series refuses start and end)', {
      hint: 'drop --start/--end to delete every sample of the matching series',
    })
}

export async function vmCompact(prom: PrometheusClient, backend: BackendInfo, options: {snapshot?: boolean; skipHead?: boolean}): Promise<CleanTombstonesResult> {
  const snapshot = options.snapshot ? await vmSnapshot(prom, backend, {skipHead: options.skipHead ?? false}) : undefined
  const res = await prom.http.request('POST', '/internal/force_merge', {okStatus: 'any', retries: 0})
  if (res.status !== 200)
    throw new OperationError('force_merge_failed', `VictoriaMetrics at ${prom.baseUrl} refused /internal/force_merge: HTTP ${res.status} ${res.text().trim().slice(0, 200)}`)
  return {
    prometheus: prom.baseUrl,
    backend: {kind: backend.kind, name: backend.name},
    action: 'force_merge',
    done: `forced merge of every partition started on ${prom.baseUrl} (POST /internal/force_merge); VictoriaMetrics has no tombstones to clean`,
    cleanedTombstones: false,
    ...(snapshot ? {snapshot} : {}),
    explanation: VM_COMPACTION_EXPLANATION,
  }
}
