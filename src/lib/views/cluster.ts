/**
 * The runbook's "Cluster Health" panel: per node, is the node exporter up, how much of the root
 * filesystem is free, how much memory is available, judged against the config's thresholds.
 * The PromQL is the runbook's, with the job names taken from the config.
 */
import type {HydraConfig} from '../config/resolve.js'
import {ExitCode, type ExitCodeValue} from '../errors.js'
import type {PrometheusClient} from '../prometheus/client.js'
import {backendOf} from '../prometheus/backend.js'
import {instantVector} from '../prometheus/query.js'
import {nodeOfSeries} from '../config/nodes.js'
import {notScrapingNote} from '../prometheus/targets.js'
import {compareNames} from '../order.js'

export type ClusterStatus = 'ok' | 'warn' | 'fail'

export interface ClusterRow {
  node: string
  instance?: string
  up?: boolean
  rootDiskFreePercent?: number
  memoryAvailablePercent?: number
  status: ClusterStatus
  problems: string[]
}

export interface ClusterReport {
  prometheus: string
  thresholds: {rootDiskFreePercent: number; memoryAvailablePercent: number}
  queries: {up: string; disk: string; memory: string}
  rows: ClusterRow[]
  summary: {nodes: number; ok: number; failing: number}
  warnings: string[]
  /** clusterExitCode: 1 when a node is down or below a threshold */
  exitCode: ExitCodeValue
}

/** The exit policy of `hydra cluster`, pure: 1 when a node fails (down, or below a threshold), else 0. */
export function clusterExitCode(summary: ClusterReport['summary']): ExitCodeValue {
  return summary.failing > 0 ? ExitCode.FAILURE : ExitCode.OK
}

export interface Sample {
  metric: Record<string, string>
  value: number
}

/** The node exporter jobs the config declares (every exporter named `node`, by its job). */
export function nodeExporterJobs(cfg: HydraConfig): string[] {
  const jobs = new Set<string>()
  for (const n of cfg.nodes) for (const e of n.exporters) if (e.name === 'node') jobs.add(e.job)
  return jobs.size > 0 ? [...jobs] : ['node']
}

export function clusterQueries(cfg: HydraConfig): ClusterReport['queries'] {
  const jobs = nodeExporterJobs(cfg)
  const job = jobs.length === 1 ? `job="${jobs[0]}"` : `job=~"${jobs.join('|')}"`
  return {
    up: `up{${job}}`,
    disk: `node_filesystem_avail_bytes{${job},mountpoint="/"} / node_filesystem_size_bytes{${job},mountpoint="/"} * 100`,
    memory: `node_memory_MemAvailable_bytes{${job}} / node_memory_MemTotal_bytes{${job}} * 100`,
  }
}

/**
 * Samples → one row per node of the config (nodes with a node exporter), plus unknown instances. Pure.
 * `server` names the server that answered (its backend's name), so a node with no `up` series blames it.
 */
export function buildClusterRows(cfg: HydraConfig, up: Sample[], disk: Sample[], memory: Sample[], server = 'Prometheus'): ClusterRow[] {
  const rows = new Map<string, ClusterRow>()
  for (const n of cfg.nodes) {
    if (n.exporters.some((e) => e.name === 'node')) rows.set(n.name, {node: n.name, status: 'ok', problems: []})
  }
  const rowFor = (s: Sample): ClusterRow => {
    const key = nodeOfSeries(cfg, s.metric) ?? s.metric.instance ?? '?'
    let row = rows.get(key)
    if (!row) {
      row = {node: key, status: 'ok', problems: []}
      rows.set(key, row)
    }
    if (s.metric.instance && !row.instance) row.instance = s.metric.instance
    return row
  }
  for (const s of up) {
    const row = rowFor(s)
    // several instances on one node: it is up only if all are
    row.up = (row.up ?? true) && s.value === 1
  }
  for (const s of disk) {
    const row = rowFor(s)
    row.rootDiskFreePercent = Math.min(row.rootDiskFreePercent ?? Number.POSITIVE_INFINITY, s.value)
  }
  for (const s of memory) {
    const row = rowFor(s)
    row.memoryAvailablePercent = Math.min(row.memoryAvailablePercent ?? Number.POSITIVE_INFINITY, s.value)
  }
  const t = cfg.thresholds
  for (const row of rows.values()) {
    if (row.up === undefined) row.problems.push(server === 'Prometheus' ? 'no up series: Prometheus does not scrape its node exporter' : `no up series for its node exporter in ${server}`)
    else if (!row.up) row.problems.push('node exporter is down')
    if (row.rootDiskFreePercent !== undefined && row.rootDiskFreePercent < t.rootDiskFreePercent)
      row.problems.push(`root disk ${row.rootDiskFreePercent.toFixed(1)}% free, below ${t.rootDiskFreePercent}%`)
    if (row.memoryAvailablePercent !== undefined && row.memoryAvailablePercent < t.memoryAvailablePercent)
      row.problems.push(`memory ${row.memoryAvailablePercent.toFixed(1)}% available, below ${t.memoryAvailablePercent}%`)
    // up but without filesystem/memory series: an exporter with those collectors off; shown, not failed
    if (row.up && row.rootDiskFreePercent === undefined) row.problems.push('no root filesystem series (mountpoint="/")')
    const failing = row.problems.some((p) => !p.startsWith('no root filesystem'))
    row.status = failing ? 'fail' : row.problems.length > 0 ? 'warn' : 'ok'
  }
  return [...rows.values()].sort((a, b) => compareNames(a.node, b.node))
}

export async function clusterHealth(prom: PrometheusClient, cfg: HydraConfig): Promise<ClusterReport> {
  const queries = clusterQueries(cfg)
  const [up, disk, memory] = await Promise.all([instantVector(prom, queries.up), instantVector(prom, queries.disk), instantVector(prom, queries.memory)])
  const warnings = [...up.warnings, ...disk.warnings, ...memory.warnings]
  let server: string | undefined
  if (!buildClusterRows(cfg, up.samples, [], []).every((r) => r.up !== undefined)) {
    // a node with no up series: say which server has none, and whether that server scrapes at all
    const backend = await backendOf(prom)
    server = backend.name
    if (backend.scrapes === false) {
      const note = notScrapingNote(backend, prom.baseUrl)
      warnings.push(`${note.message}; ${note.hint}`)
    }
  }
  const rows = buildClusterRows(cfg, up.samples, disk.samples, memory.samples, server)
  const summary = {nodes: rows.length, ok: rows.filter((r) => r.status !== 'fail').length, failing: rows.filter((r) => r.status === 'fail').length}
  return {
    prometheus: prom.baseUrl,
    thresholds: cfg.thresholds,
    queries,
    rows,
    summary,
    warnings,
    exitCode: clusterExitCode(summary),
  }
}
