/**
 * The runbook's "Inference Performance" panel. Its `tabby_tokens_generated_total` and
 * `tabby_inference_duration_seconds_bucket` exist nowhere in TabbyAPI, and TabbyAPI on main has no
 * /metrics at all (api-facts.md §6). The unmerged PRs #443/#444 add an opt-in /metrics with
 * llama.cpp-style `tabbyapi:` names; when those series are in Prometheus, this view shows them,
 * and otherwise says plainly that there is nothing to show.
 */
import type {PrometheusClient} from '../prometheus/client.js'
import {instantVector} from '../prometheus/query.js'
import type {HydraConfig} from '../config/resolve.js'
import type {Sample} from './cluster.js'
import {nodeOfSeries} from '../config/nodes.js'
import {compareNames} from '../order.js'

export const TABBY_METRICS = {
  tokens: 'tabbyapi:tokens_predicted_total',
  promptTokens: 'tabbyapi:prompt_tokens_total',
  latencyBucket: 'tabbyapi:e2e_request_latency_seconds_bucket',
  processing: 'tabbyapi:requests_processing',
} as const

/** The runbook's names, which no TabbyAPI exposes. */
export const RUNBOOK_TABBY_METRICS = ['tabby_tokens_generated_total', 'tabby_inference_duration_seconds_bucket']

export const INFERENCE_QUERIES = {
  detect: 'count by (__name__) ({__name__=~"tabbyapi:.+"})',
  tokensPerSecond: `sum by (instance) (rate(${TABBY_METRICS.tokens}[5m]))`,
  p99Seconds: `histogram_quantile(0.99, sum by (instance, le) (rate(${TABBY_METRICS.latencyBucket}[5m])))`,
  processing: `sum by (instance) (${TABBY_METRICS.processing})`,
}

export interface InferenceRow {
  instance: string
  node?: string
  tokensPerSecond?: number
  p99LatencySeconds?: number
  requestsProcessing?: number
}

export interface InferenceReport {
  prometheus: string
  available: boolean
  /** the tabbyapi: series found */
  metricsFound: string[]
  rows: InferenceRow[]
  /** why there is nothing to show, when there is not */
  explanation?: string
  warnings: string[]
}

export const NO_TABBY_METRICS_EXPLANATION = `TabbyAPI exposes no Prometheus metrics on main: there is no /metrics endpoint, and the runbook's ${RUNBOOK_TABBY_METRICS.join(' and ')} exist in no TabbyAPI version. The unmerged pull requests #443/#444 add an opt-in /metrics (network.enable_metrics) with ${Object.values(TABBY_METRICS).join(', ')}; once TabbyAPI runs with it and Prometheus scrapes it, this view shows tokens/s and p99 latency. Until then, hydra health checks TabbyAPI's /health.`

export function buildInferenceRows(cfg: HydraConfig, tokens: Sample[], p99: Sample[], processing: Sample[]): InferenceRow[] {
  const rows = new Map<string, InferenceRow>()
  const rowFor = (s: Sample) => {
    const instance = s.metric.instance ?? ''
    let row = rows.get(instance)
    if (!row) {
      row = {instance, node: nodeOfSeries(cfg, s.metric)}
      rows.set(instance, row)
    }
    return row
  }
  for (const s of tokens) rowFor(s).tokensPerSecond = s.value
  // histogram_quantile gives NaN without requests in the window: no latency to report
  for (const s of p99) if (!Number.isNaN(s.value)) rowFor(s).p99LatencySeconds = s.value
  for (const s of processing) rowFor(s).requestsProcessing = s.value
  return [...rows.values()].sort((a, b) => compareNames(a.instance, b.instance))
}

export async function inferencePerformance(prom: PrometheusClient, cfg: HydraConfig): Promise<InferenceReport> {
  const detected = await instantVector(prom, INFERENCE_QUERIES.detect)
  const metricsFound = detected.samples.map((s) => s.metric.__name__ ?? '').filter(Boolean).sort()
  if (metricsFound.length === 0) {
    return {prometheus: prom.baseUrl, available: false, metricsFound, rows: [], explanation: NO_TABBY_METRICS_EXPLANATION, warnings: detected.warnings}
  }
  const [tokens, p99, processing] = await Promise.all([
    instantVector(prom, INFERENCE_QUERIES.tokensPerSecond),
    instantVector(prom, INFERENCE_QUERIES.p99Seconds),
    instantVector(prom, INFERENCE_QUERIES.processing),
  ])
  return {
    prometheus: prom.baseUrl,
    available: true,
    metricsFound,
    rows: buildInferenceRows(cfg, tokens.samples, p99.samples, processing.samples),
    warnings: [...detected.warnings, ...tokens.warnings, ...p99.warnings, ...processing.warnings],
  }
}
