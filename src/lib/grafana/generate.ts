/**
 * `hydra dashboards generate`: the runbook's custom "Hydra AI Control Plane" dashboard, rendered
 * from the config and from what Prometheus actually scrapes (one `__name__` listing): cluster
 * health (targets up per job, node CPU / memory / root disk), GPUs with the detected exporter's
 * names and units (views/gpu.ts), and inference (TabbyAPI's `tabbyapi:` series when present,
 * Qdrant's REST traffic). A panel is only emitted when its metrics exist, so the dashboard checks
 * clean. The data source is an import input (`${DS_PROMETHEUS}`), so the JSON imports anywhere.
 */
import type {HydraConfig} from '../config/resolve.js'
import type {PrometheusClient} from '../prometheus/client.js'
import {GPU_EXPORTERS} from '../views/gpu.js'
import {TABBY_METRICS} from '../views/inference.js'

export const CONTROL_PLANE_UID = 'hydra-ai-control-plane'
export const CONTROL_PLANE_TITLE = 'Hydra AI Control Plane'

type Obj = Record<string, unknown>

interface PanelSpec {
  title: string
  exprs: {expr: string; legend: string}[]
  unit: string
  type?: 'timeseries' | 'stat'
  max?: number
}

const DS = {type: 'prometheus', uid: '${DS_PROMETHEUS}'}

/** The dashboard model. Pure: `names` is Prometheus' metric names, `jobs` its scrape jobs. */
export function buildControlPlane(cfg: Pick<HydraConfig, 'cluster' | 'nodes' | 'apps'>, names: Set<string>, jobs: string[]): Obj {
  const has = (...ms: string[]) => ms.every((m) => names.has(m))
  const rows: {title: string; panels: PanelSpec[]}[] = []

  const health: PanelSpec[] = [
    {title: 'Targets up by job', type: 'stat', unit: 'none', exprs: [{expr: 'sum by (job) (up)', legend: '{{job}}'}]},
  ]
  if (has('node_cpu_seconds_total'))
    health.push({title: 'CPU busy', unit: 'percent', max: 100, exprs: [{expr: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval])))', legend: '{{instance}}'}]})
  if (has('node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes'))
    health.push({title: 'Memory available', unit: 'percent', max: 100, exprs: [{expr: '100 * node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legend: '{{instance}}'}]})
  if (has('node_filesystem_avail_bytes', 'node_filesystem_size_bytes'))
    health.push({title: 'Root disk free', unit: 'percent', max: 100, exprs: [{expr: '100 * node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"}', legend: '{{instance}}'}]})
  rows.push({title: `Cluster health (${cfg.cluster}: ${cfg.nodes.length} nodes, jobs ${jobs.join(', ') || 'none'})`, panels: health})

  for (const spec of GPU_EXPORTERS.filter((s) => names.has(s.marker))) {
    const m = spec.metrics
    const gpu: PanelSpec[] = []
    const label = spec.nameLabel && m.info ? '{{instance}} {{uuid}}' : `{{instance}} {{${spec.gpuKey[0]}}}`
    gpu.push({title: 'GPU temperature', unit: 'celsius', exprs: [{expr: m.temperature, legend: label}]})
    if (has(m.power)) gpu.push({title: 'GPU power', unit: spec.powerScale === 1 ? 'watt' : 'mwatt', exprs: [{expr: m.power, legend: label}]})
    if (has(m.util)) gpu.push({title: 'GPU utilisation', unit: spec.utilScale === 100 ? 'percentunit' : 'percent', exprs: [{expr: m.util, legend: label}]})
    if (has(m.memUsed)) {
      const total = m.memTotal && has(m.memTotal) ? m.memTotal : m.memFree && has(m.memFree) ? `(${m.memUsed} + ${m.memFree})` : undefined
      gpu.push({title: 'VRAM used', unit: spec.memScale === 1 ? 'bytes' : 'decmbytes', exprs: [{expr: m.memUsed, legend: label}]})
      if (total) gpu.push({title: 'VRAM used %', unit: 'percent', max: 100, exprs: [{expr: `100 * ${m.memUsed} / ${total}`, legend: label}]})
    }
    rows.push({title: `GPUs (${spec.description})`, panels: gpu})
  }

  const inference: PanelSpec[] = []
  if (has(TABBY_METRICS.tokens)) inference.push({title: 'Tokens per second', unit: 'short', exprs: [{expr: `sum by (instance) (rate(${TABBY_METRICS.tokens}[$__rate_interval]))`, legend: '{{instance}}'}]})
  if (has(TABBY_METRICS.latencyBucket))
    inference.push({title: 'Request latency p99', unit: 's', exprs: [{expr: `histogram_quantile(0.99, sum by (instance, le) (rate(${TABBY_METRICS.latencyBucket}[$__rate_interval])))`, legend: '{{instance}}'}]})
  if (has('rest_responses_total')) inference.push({title: 'Qdrant REST responses', unit: 'reqps', exprs: [{expr: 'sum by (instance) (rate(rest_responses_total[$__rate_interval]))', legend: '{{instance}}'}]})
  if (has('collections_vector_total')) inference.push({title: 'Qdrant vectors', type: 'stat', unit: 'short', exprs: [{expr: 'sum(collections_vector_total)', legend: 'vectors'}]})
  const appJobs = cfg.apps.filter((a) => a.metrics).map((a) => a.job ?? a.id).filter((j) => jobs.includes(j))
  if (appJobs.length > 0) inference.push({title: 'AI services scraped', type: 'stat', unit: 'none', exprs: [{expr: `up{job=~"${appJobs.join('|')}"}`, legend: '{{job}}'}]})
  if (inference.length > 0) rows.push({title: 'Inference', panels: inference})

  let id = 0
  let y = 0
  const panels: Obj[] = []
  for (const row of rows) {
    panels.push({id: ++id, type: 'row', title: row.title, collapsed: false, gridPos: {h: 1, w: 24, x: 0, y: y++}, panels: []})
    row.panels.forEach((p, i) => {
      panels.push({
        id: ++id,
        type: p.type ?? 'timeseries',
        title: p.title,
        datasource: DS,
        gridPos: {h: 8, w: 12, x: (i % 2) * 12, y: y + Math.floor(i / 2) * 8},
        fieldConfig: {defaults: {unit: p.unit, ...(p.max !== undefined ? {min: 0, max: p.max} : {})}, overrides: []},
        targets: p.exprs.map((e, j) => ({refId: String.fromCharCode(65 + j), datasource: DS, expr: e.expr, legendFormat: e.legend})),
      })
    })
    y += Math.ceil(row.panels.length / 2) * 8
  }
  return {
    __inputs: [{name: 'DS_PROMETHEUS', label: 'Prometheus', description: '', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus'}],
    __requires: [{type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0'}],
    uid: CONTROL_PLANE_UID,
    title: CONTROL_PLANE_TITLE,
    description: `Generated by hydra dashboards generate for cluster ${cfg.cluster}: regenerate after the exporters change`,
    tags: ['hydra', 'generated'],
    editable: true,
    schemaVersion: 39,
    time: {from: 'now-6h', to: 'now'},
    refresh: '30s',
    templating: {list: []},
    panels,
  }
}

export async function generateControlPlane(prom: PrometheusClient, cfg: Pick<HydraConfig, 'cluster' | 'nodes' | 'apps'>): Promise<Obj> {
  const [names, jobs] = await Promise.all([
    prom.api<string[]>('GET', '/api/v1/label/__name__/values'),
    prom.api<string[]>('GET', '/api/v1/label/job/values'),
  ])
  return buildControlPlane(cfg, new Set(names.data ?? []), [...(jobs.data ?? [])].sort())
}
