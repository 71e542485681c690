/** exporter:<node>/<exporter> — its unit/container/process runs and its port listens (runbook: Target Down, step 1). */
import type {ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import {exporterStateDiagnosis} from '../../diagnose.js'
import {SLACK_MS, type Check} from '../../model.js'
import {targetForExporter} from '../exporter-target.js'
import {exporterCheckId, firewallCheckId, sshCheckId} from '../ids.js'

export function exporterCheck(node: ResolvedNode, e: ResolvedExporter): Check {
  const managed = e.unit ?? e.container ?? e.process ?? '?'
  return {
    id: exporterCheckId(e),
    kind: 'exporter',
    group: node.name,
    node: node.name,
    title: `${e.name} exporter: ${e.managedBy} ${managed} running and listening on :${e.port}`,
    dependsOn: [sshCheckId(node.name)],
    timeoutMs: node.ssh.connectTimeoutMs + node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      // the node's firewall read (a few commands over the same connection) goes alongside this
      // one rather than after it: the firewall checks still wait for this check's verdict
      if (node.firewall !== 'none' && ctx.inRun?.(firewallCheckId(e))) void ctx.resources.firewall(node)
      const row = await ctx.resources.exporterRow(node, e)
      if (!row) return {status: 'fail', cause: 'bug', detail: `exporter status has no row for ${e.id}`}
      const outcome = exporterStateDiagnosis(row, e)
      if (outcome.status !== 'fail') return outcome
      // Prometheus's view of the same exporter, as corroboration (never waited on if Prometheus is down)
      const target = await ctx.resources.targets().then((r) => targetForExporter(r.targets, e), () => undefined)
      return target ? {...outcome, evidence: [...(outcome.evidence ?? []), `Prometheus: ${target.instance} is ${target.health}${target.lastError ? `: ${target.lastError}` : ''}`]} : outcome
    },
  }
}
