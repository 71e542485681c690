/**
 * PromQL queries (the runbook's "run query in Prometheus UI"): instant and range, their results
 * reduced to rows a table can show. Parsers and summarisers are pure.
 */
import {UserError} from '../errors.js'
import {isBadQuery, PrometheusApiError, type CallOptions, type PrometheusClient} from './client.js'
import {compareCodePoints, compareNames} from '../order.js'

export type Labels = Record<string, string>
/** [unix seconds, "value"] as Prometheus sends it (values are strings: NaN, +Inf survive) */
export type SamplePair = [number, string]

export type QueryData =
  | {resultType: 'vector'; result: {metric: Labels; value: SamplePair}[]}
  | {resultType: 'matrix'; result: {metric: Labels; values: SamplePair[]}[]}
  | {resultType: 'scalar'; result: SamplePair}
  | {resultType: 'string'; result: SamplePair}

export interface QueryRow {
  /** __name__, when the series has one */
  metric?: string
  /** every label but __name__ */
  labels: Labels
  /** the instant value, or the last value of a range */
  value: number
  /** the value as Prometheus wrote it (for strings and exact output) */
  raw: string
  /** unix seconds of `value` */
  time: number
  /** range queries only */
  min?: number
  max?: number
  points?: number
}

export interface QueryResult {
  query: string
  kind: 'instant' | 'range'
  resultType: QueryData['resultType']
  /** range queries: the window asked for (unix seconds) */
  range?: {start: number; end: number; stepSeconds: number}
  time?: number
  rows: QueryRow[]
  warnings: string[]
  /** why an empty answer is empty (query-empty.ts): never a silent "no data" */
  note?: string
}

export function parseSampleValue(raw: string): number {
  // Prometheus writes NaN, +Inf and -Inf as such; Number() understands neither "+Inf" nor "-Inf"
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY
  return Number(raw)
}

function splitName(metric: Labels): {metric?: string; labels: Labels} {
  const {__name__: name, ...labels} = metric
  return name === undefined ? {labels} : {metric: name, labels}
}

/** The `data` of /api/v1/query or /api/v1/query_range → rows, sorted by metric name and labels. Pure. */
export function queryRows(data: QueryData): QueryRow[] {
  switch (data.resultType) {
    case 'scalar':
    case 'string': {
      const [time, raw] = data.result
      return [{labels: {}, value: parseSampleValue(raw), raw, time}]
    }
    case 'vector':
      return sortRows(data.result.map((s) => ({...splitName(s.metric), value: parseSampleValue(s.value[1]), raw: s.value[1], time: s.value[0]})))
    case 'matrix':
      return sortRows(
        data.result
          .filter((s) => s.values.length > 0)
          .map((s) => {
            const last = s.values.at(-1)!
            const numbers = s.values.map((v) => parseSampleValue(v[1])).filter((v) => !Number.isNaN(v))
            return {
              ...splitName(s.metric),
              value: parseSampleValue(last[1]),
              raw: last[1],
              time: last[0],
              min: numbers.length > 0 ? Math.min(...numbers) : Number.NaN,
              max: numbers.length > 0 ? Math.max(...numbers) : Number.NaN,
              points: s.values.length,
            }
          }),
      )
  }
}

function labelKey(r: QueryRow): string {
  return `${r.metric ?? ''}{${Object.entries(r.labels)
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`
}

function sortRows(rows: QueryRow[]): QueryRow[] {
  return rows.sort((a, b) => compareNames(labelKey(a), labelKey(b)))
}

/** `up{instance="a:9100", job="node"}` — the series the way PromQL writes it. Pure. */
export function formatSeries(metric: string | undefined, labels: Labels): string {
  const inner = Object.entries(labels)
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')
  if (!metric) return inner ? `{${inner}}` : '{}'
  return inner ? `${metric}{${inner}}` : metric
}

/** Readable numbers: integers as is, small and large ones in exponent form, others to 4 significant digits. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return '+Inf'
  if (v === Number.NEGATIVE_INFINITY) return '-Inf'
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v)
  const a = Math.abs(v)
  if (a !== 0 && (a < 1e-3 || a >= 1e15)) return v.toExponential(3)
  return String(Number(v.toPrecision(4)))
}

export interface QueryOptions {
  query: string
  /** instant query time (unix seconds); default now */
  time?: number
  /** a range query over this many ms before `time` */
  sinceMs?: number
  /** range step; default: the range / 60, at least 1s */
  stepMs?: number
}

/** At most this many points per series, as Prometheus refuses more than 11000. */
const MAX_POINTS = 11_000

export function rangeFor(options: {time?: number; sinceMs: number; stepMs?: number}, nowMs: number): {start: number; end: number; stepSeconds: number} {
  if (options.sinceMs <= 0) throw new UserError('--since must be a positive duration, e.g. 1h')
  const end = options.time ?? nowMs / 1000
  const start = end - options.sinceMs / 1000
  const stepSeconds = options.stepMs === undefined ? Math.max(1, Math.ceil(options.sinceMs / 1000 / 60)) : options.stepMs / 1000
  if (stepSeconds <= 0) throw new UserError('--step must be a positive duration, e.g. 30s')
  if ((end - start) / stepSeconds > MAX_POINTS) {
    throw new UserError(`--since ${options.sinceMs / 1000}s with --step ${stepSeconds}s makes more than ${MAX_POINTS} points per series`, {
      hint: 'use a larger --step',
    })
  }
  return {start, end, stepSeconds}
}

/**
 * A rejected query's error as the user should read it: the parse error itself, without Prometheus'
 * `invalid parameter "query":` or VictoriaMetrics' `error when executing query="…" for (time=…):`. Pure.
 */
export function plainQueryError(apiError: string): string {
  return apiError.replace(/^invalid parameter "query":\s*/, '').replace(/^error when executing query=".*?" (?:on the time range|for) \([^)]*\):\s*/s, '')
}

export async function runQuery(prom: PrometheusClient, options: QueryOptions, nowMs = Date.now()): Promise<QueryResult> {
  if (options.query.trim() === '') throw new UserError('the query is empty', {hint: "e.g. hydra query 'up'"})
  try {
    const result = await runQueryUnchecked(prom, options, nowMs)
    if (result.rows.length > 0 || (result.resultType !== 'vector' && result.resultType !== 'matrix')) return result
    const {emptyQueryNote} = await import('./query-empty.js')
    const note = await emptyQueryNote(prom, options.query)
    return note ? {...result, note} : result
  } catch (error) {
    if (error instanceof PrometheusApiError && isBadQuery(error)) {
      throw new UserError(`bad PromQL: ${plainQueryError(error.apiError)}`, {
        code: 'prometheus_bad_data',
        hint: 'fix the expression; see https://prometheus.io/docs/prometheus/latest/querying/basics/',
        details: {query: options.query, errorType: error.errorType, error: error.apiError},
      })
    }
    throw error
  }
}

async function runQueryUnchecked(prom: PrometheusClient, options: QueryOptions, nowMs: number): Promise<QueryResult> {
  if (options.sinceMs !== undefined) {
    const range = rangeFor({time: options.time, sinceMs: options.sinceMs, stepMs: options.stepMs}, nowMs)
    // POST: a long PromQL expression must not hit a URL length limit
    const {data, warnings} = await prom.api<QueryData>('POST', '/api/v1/query_range', {
      form: {query: options.query, start: String(range.start), end: String(range.end), step: String(range.stepSeconds)},
    })
    return {query: options.query, kind: 'range', resultType: data.resultType, range, rows: queryRows(data), warnings}
  }
  const form: Record<string, string> = {query: options.query}
  if (options.time !== undefined) form.time = String(options.time)
  const {data, warnings} = await prom.api<QueryData>('POST', '/api/v1/query', {form})
  return {query: options.query, kind: 'instant', resultType: data.resultType, ...(options.time === undefined ? {} : {time: options.time}), rows: queryRows(data), warnings}
}

/** An instant query for the views (gpu, cluster, inference): the vector's samples, with warnings. */
export async function instantVector(prom: PrometheusClient, query: string, options: CallOptions = {}): Promise<{samples: {metric: Labels; value: number}[]; warnings: string[]}> {
  const {data, warnings} = await prom.api<QueryData>('POST', '/api/v1/query', {...options, form: {query}})
  if (data.resultType !== 'vector') return {samples: [], warnings}
  return {samples: data.result.map((s) => ({metric: s.metric, value: parseSampleValue(s.value[1])})), warnings}
}
