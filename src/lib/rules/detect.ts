/**
 * What the live Prometheus scrapes, for `hydra rules render`: the node exporter jobs, the GPU
 * exporter (detected by its metric names, as `hydra gpu` does), and the jobs that scrape Loki and
 * Prometheus itself. What it cannot find becomes a note, never a silent guess.
 */
import type {HydraConfig} from '../config/resolve.js'
import {ExitCode, HydraError} from '../errors.js'
import {backendOf, type BackendInfo} from '../prometheus/backend.js'
import type {PrometheusClient} from '../prometheus/client.js'
import {instantVector} from '../prometheus/query.js'
import {detectGpuExporters, GPU_DETECT_QUERY} from '../views/gpu.js'
import type {ContextOverrides} from './render.js'
import type {RulesSource} from './model.js'

export const UP_QUERY = 'count by (job, instance) (up)'

/** "http://h:9090/prefix" → "h:9090" (the instance label Prometheus gives a target it scrapes there). */
export function instanceOf(baseUrl: string): string {
  const u = new URL(baseUrl)
  return u.port ? u.host : `${u.host}:${u.protocol === 'https:' ? 443 : 80}`
}

/**
 * Pure: the live `up` targets and GPU marker metrics → overrides and notes. `backend`: which server
 * answered (a VictoriaMetrics or Mimir never serves the Prometheus server's own metrics).
 */
export function contextFromLive(
  cfg: HydraConfig,
  up: {job?: string; instance?: string}[],
  gpuMarkers: {metric: Record<string, string>; value: number}[],
  backend: Pick<BackendInfo, 'kind' | 'name'> = {kind: 'prometheus', name: 'Prometheus'},
): {overrides: ContextOverrides; notes: string[]} {
  const notes: string[] = []
  const overrides: ContextOverrides = {}
  const jobOfInstance = (instance: string) => up.find((t) => t.instance === instance)?.job
  // node exporters: the jobs that scrape the config's node exporters
  const nodeJobs = new Set<string>()
  const unscraped: string[] = []
  for (const n of cfg.nodes)
    for (const e of n.exporters.filter((x) => x.name === 'node')) {
      const job = jobOfInstance(instanceOf(e.url))
      if (job) nodeJobs.add(job)
      else unscraped.push(`${n.name} (${instanceOf(e.url)})`)
    }
  if (nodeJobs.size > 0) overrides.nodeJobs = [...nodeJobs]
  if (unscraped.length > 0) notes.push(`Prometheus does not scrape the node exporter of ${unscraped.join(', ')}: no node rule can fire for it (hydra config scrape --diff)`)
  // GPU exporters by their metric names
  const gpus = detectGpuExporters(gpuMarkers)
  const configGpus = cfg.nodes.filter((n) => n.exporters.some((e) => e.name === 'gpu')).map((n) => n.name)
  if (gpus.length > 0) overrides.gpuExporters = gpus.map((g) => g.kind)
  else if (configGpus.length > 0) {
    notes.push(`no GPU exporter metrics found in Prometheus although the config names GPU exporters on ${configGpus.join(', ')}: GPU rules use nvidia_smi_* (hydra gpu)`)
  }
  // Loki and Prometheus itself: alerts about them need Prometheus to scrape them
  if (cfg.loki) {
    const job = jobOfInstance(instanceOf(cfg.loki.baseUrl))
    if (job) overrides.lokiJob = job
    else notes.push(`Prometheus does not scrape Loki (${instanceOf(cfg.loki.baseUrl)}): LokiNotReady and LokiNotIngesting cannot fire until a scrape job "loki" does`)
  }
  if (backend.kind !== 'prometheus' && backend.kind !== 'unknown')
    notes.push(
      `services.prometheus is ${backend.name}, not Prometheus: PrometheusRuleFailures and PrometheusTsdbNearSizeRetention watch a Prometheus server's own metrics (prometheus_rule_evaluation_failures_total, prometheus_tsdb_*) and never fire for it; leave the hydra-prometheus group out of its rule files`,
    )
  else if (!jobOfInstance(instanceOf(cfg.prometheus.baseUrl)))
    notes.push(`Prometheus does not scrape itself (${instanceOf(cfg.prometheus.baseUrl)}): PrometheusRuleFailures and PrometheusTsdbNearSizeRetention cannot fire until a scrape job does`)
  return {overrides, notes}
}

/**
 * Ask the live Prometheus. A server that cannot be asked (unreachable, not ready, an error) gives
 * `mode: 'config'` with the reason; refused credentials are not hidden: they throw (exit 4).
 */
export async function detectLive(prom: PrometheusClient, cfg: HydraConfig): Promise<{overrides: ContextOverrides; source: RulesSource}> {
  try {
    const [up, gpu, backend] = await Promise.all([instantVector(prom, UP_QUERY), instantVector(prom, GPU_DETECT_QUERY), backendOf(prom)])
    const {overrides, notes} = contextFromLive(
      cfg,
      up.samples.map((s) => s.metric),
      gpu.samples,
      backend,
    )
    return {overrides, source: {mode: 'live', prometheus: prom.baseUrl, notes: [...notes, ...up.warnings, ...gpu.warnings]}}
  } catch (error) {
    if (!(error instanceof HydraError) || error.exitCode === ExitCode.AUTH) throw error
    return {overrides: {}, source: {mode: 'config', prometheus: prom.baseUrl, reason: `Prometheus at ${prom.baseUrl} could not be asked (${error.message})`, notes: []}}
  }
}
