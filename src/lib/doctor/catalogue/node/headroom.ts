/**
 * The shape of the node's headroom checks (disk.ts, memory.ts): one instant query of the runbook's
 * Cluster Health for all nodes (shared by the run), the node's exporter target's sample of it,
 * against a threshold of the config.
 */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import {SLACK_MS, type Check} from '../../model.js'
import {targetForExporter} from '../exporter-target.js'
import {healthCheckId, targetCheckId} from '../ids.js'

export interface Headroom {
  kind: 'disk' | 'memory'
  /** e.g. "root filesystem free" */
  what: string
  threshold: number
  /** the query for one target's series selector */
  query(selector: string): string
  cause: string
  hint: string
}

export function headroomCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter, h: Headroom): Check {
  const {kind, what, threshold} = h
  return {
    id: `${kind}:${node.name}`,
    kind,
    group: node.name,
    node: node.name,
    title: `${what} on ${node.name} above ${threshold}%`,
    dependsOn: [healthCheckId('prometheus'), targetCheckId(e)],
    timeoutMs: cfg.timeoutMs * 2 + SLACK_MS,
    async run(ctx) {
      const target = targetForExporter((await ctx.resources.targets()).targets, e)
      if (!target) return {status: 'warn', cause: 'no_data', detail: `no Prometheus target for ${e.id}, so no ${what} data`}
      // the evidence is this node's query; Prometheus is asked once for all nodes (same expression, every job)
      const query = h.query(`instance=${JSON.stringify(target.instance)},job=${JSON.stringify(target.job)}`)
      const {samples} = await ctx.resources.vector(h.query('job=~".+"'))
      const value = samples.find((s) => s.metric.instance === target.instance && s.metric.job === target.job)?.value
      if (value === undefined || Number.isNaN(value)) return {status: 'warn', cause: 'no_data', detail: `no ${what} data for ${target.instance}`, evidence: [query]}
      const shown = `${value.toFixed(1)}%`
      if (value < threshold) return {status: 'fail', cause: h.cause, detail: `${what} on ${node.name}: ${shown}, below ${threshold}%`, evidence: [query], hint: h.hint}
      return {status: 'ok', detail: `${what}: ${shown} (threshold ${threshold}%)`}
    },
  }
}
