/**
 * Why a query came back empty — never a bare "no data". The metric names of the query (parsed
 * with Prometheus' own PromQL grammar, grafana/promql.ts) are looked up among the names Prometheus
 * has series of (`/api/v1/label/__name__/values`, one call): a name it has none of is named, with
 * the known rename where one explains it (the runbook's nvidia_gpu_* names, grafana/renames.ts);
 * when every name exists, the label matchers or the time select nothing. Best effort: no note when
 * the expression names no metric or Prometheus will not list its names.
 */
import type {PrometheusClient} from './client.js'

export async function emptyQueryNote(prom: PrometheusClient, query: string, signal?: AbortSignal): Promise<string | undefined> {
  const {metricsOfExpr} = await import('../grafana/promql.js')
  const parsed = metricsOfExpr(query)
  if (parsed.error || parsed.metrics.length === 0) return undefined
  let names: unknown
  try {
    names = (await prom.api<string[]>('GET', '/api/v1/label/__name__/values', {signal})).data
  } catch {
    return undefined
  }
  if (!Array.isArray(names)) return undefined
  return await noteFor(parsed.metrics, new Set(names.filter((n): n is string => typeof n === 'string')))
}

/** The note for the query's metric names against the names Prometheus has series of. Pure but for a lazy import. */
export async function noteFor(metrics: string[], present: Set<string>): Promise<string> {
  if (present.size === 0) return 'Prometheus has no series at all: it has scraped nothing yet, or keeps nothing (see hydra targets)'
  const missing = metrics.filter((m) => !present.has(m))
  if (missing.length === 0) {
    const which = metrics.length === 1 ? `${metrics[0]} exists` : `${metrics.join(', ')} exist`
    return `${which} in Prometheus: the label matchers, or the time (--time, --since), select no series of it`
  }
  const {suggestReplacement} = await import('../grafana/renames.js')
  const why = missing.map((m) => suggestReplacement(m, present)?.note).filter((n): n is string => n !== undefined)
  const names = missing.length === 1 ? `a metric named ${missing[0]}` : `metrics named ${missing.join(', ')}`
  return `Prometheus has no series of ${names}${why.length ? `: ${why.join('; ')}` : ' (check the name: hydra targets shows what it scrapes)'}`
}
