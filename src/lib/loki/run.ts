/**
 * `hydra logs` as one call: the preset for this Loki's version, the tenant (--org-id over the
 * config's), the window (--since, or RFC 3339 --from/--to), the query with its own timeout while
 * /ready is watched for start-up, and the multi-tenant check; or the tail for --follow.
 */
import type {HydraConfig} from '../config/resolve.js'
import {UserError} from '../errors.js'
import {LokiClient, requireLoki, type LokiBuildInfo} from './client.js'
import {checkTenancy, emptyAnswerNote, emptyTenantNote, guardStartup, lokiStartingError, readinessPhase} from './guard.js'
import {emptySelectorNote} from './selector-note.js'
import {findPreset, msToNs, queryLogs, queryWindow, type Direction, type LogEntry, type LogsResult} from './logs.js'
import {parseTimeNs} from './render.js'
import {tailLogs, type TailResult} from './tail.js'

export interface LogsRequest {
  logql?: string
  preset?: string
  /** --since in ms (the shared durationFlag: 15m, 6h, 30d, or bare seconds); default 1h */
  sinceMs?: number
  /** --from/--to as typed: RFC 3339 (to the nanosecond), now, a duration ago, or unix seconds (as the shared timeFlag) */
  from?: string
  to?: string
  limit: number
  batch?: number
  direction: Direction
  orgId?: string
  /** --query-timeout in ms (the shared durationFlag) */
  queryTimeoutMs?: number
}

export const DEFAULT_SINCE_MS = 3_600_000

export interface LogsReport extends LogsResult {
  tenant?: string
  lokiVersion?: string
  preset?: string
}

export function lokiClientFor(cfg: HydraConfig, req: Pick<LogsRequest, 'orgId' | 'queryTimeoutMs'>): LokiClient {
  if (req.orgId !== undefined && !/^[A-Za-z0-9!._*'()|-]+$/.test(req.orgId)) throw new UserError(`--org-id ${JSON.stringify(req.orgId)} is not a Loki tenant id`)
  return new LokiClient(requireLoki(cfg), {orgId: req.orgId, queryTimeoutMs: req.queryTimeoutMs, queryTimeoutFlag: '--query-timeout'})
}

/** --since/--from/--to → the window's nanosecond bounds (validated, no I/O). */
export function requestWindow(req: Pick<LogsRequest, 'sinceMs' | 'from' | 'to'>, nowMs: number): {start: bigint; end: bigint} {
  const endNs = req.to === undefined ? undefined : parseTimeNs(req.to, '--to', nowMs)
  const startNs = req.from === undefined ? undefined : parseTimeNs(req.from, '--from', nowMs)
  const sinceMs = startNs === undefined ? (req.sinceMs ?? DEFAULT_SINCE_MS) : undefined
  return queryWindow({startNs, endNs, sinceMs, endMs: nowMs}, nowMs)
}

async function resolveQuery(loki: LokiClient, cfg: HydraConfig, req: LogsRequest): Promise<{query: string; info?: LokiBuildInfo}> {
  if (req.logql && req.preset) throw new UserError('give LOGQL or --preset, not both')
  if (!req.logql && !req.preset) throw new UserError('give a LogQL query or --preset', {hint: 'e.g. hydra logs --preset errors'})
  if (req.logql) return {query: req.logql}
  const preset = findPreset(req.preset!)
  // the errors preset differs by version (detected_level exists only in Loki 3)
  const info = await loki.buildInfo()
  return {query: preset.query(cfg, info), info}
}

export async function fetchLogs(cfg: HydraConfig, req: LogsRequest, signal?: AbortSignal, nowMs = Date.now()): Promise<LogsReport> {
  const {start, end} = requestWindow(req, nowMs)
  const loki = lokiClientFor(cfg, req)
  try {
    const {query, info} = await resolveQuery(loki, cfg, req)
    const tenancy = await checkTenancy(loki, signal)
    const result = await guardStartup(
      loki,
      (s) => queryLogs(loki, {query, startNs: start, endNs: end, limit: req.limit, batch: req.batch, direction: req.direction, signal: s}, nowMs),
      signal,
    )
    const empty = result.resultType === 'streams' ? result.entries.length === 0 : (result.rows ?? []).length === 0
    const window = {startNs: start, endNs: end}
    const note = empty ? (emptyAnswerNote(loki.tenant, tenancy) ?? (await emptyTenantNote(loki, window, signal)) ?? (await emptySelectorNote(loki, query, window, signal))) : undefined
    return {
      ...result,
      ...(loki.tenant ? {tenant: loki.tenant} : {}),
      ...(info ? {lokiVersion: info.version} : {}),
      ...(req.preset ? {preset: req.preset} : {}),
      ...(note ? {note} : {}),
    }
  } finally {
    await loki.close()
  }
}

export interface FollowReport extends TailResult {
  loki: string
  query: string
  tenant?: string
}

/** --follow: the tail WebSocket until `signal` ends it (Ctrl-C) or Loki closes it. */
export async function followLogs(cfg: HydraConfig, req: LogsRequest, onEntries: (e: LogEntry[]) => void, signal: AbortSignal, hooks: {onOpen?: () => void; onDropped?: (n: number) => void} = {}): Promise<FollowReport> {
  const nowMs = Date.now()
  if (req.to !== undefined) throw new UserError('--follow shows lines as they arrive: it takes --since or --from, not --to')
  const {start} = requestWindow({...req, to: undefined}, nowMs)
  const loki = lokiClientFor(cfg, req)
  try {
    const {query} = await resolveQuery(loki, cfg, req)
    await checkTenancy(loki, signal)
    // start-up: the same answer as a query gets, before the socket opens
    const ready = await loki.readiness(signal).catch(() => undefined)
    const phase = ready && readinessPhase(ready.status, ready.text)
    if (phase) throw lokiStartingError(loki.baseUrl, phase, ready.text)
    const limit = Math.min(req.limit || 5000, 5000)
    const r = await tailLogs(loki, {query, startNs: start > msToNs(nowMs) ? msToNs(nowMs) : start, limit, delayForS: 0, signal, onEntries, ...hooks})
    return {...r, loki: loki.baseUrl, query, ...(loki.tenant ? {tenant: loki.tenant} : {})}
  } finally {
    await loki.close()
  }
}
