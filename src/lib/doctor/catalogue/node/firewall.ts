/** firewall:<node>/<exporter> — the node's firewall lets the exporter's port in (runbook: Target Down, step 2). */
import type {ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import {firewallDiagnosis} from '../../diagnose.js'
import {SLACK_MS, type Check} from '../../model.js'
import {exporterCheckId, firewallCheckId, sshCheckId} from '../ids.js'

export function firewallCheck(node: ResolvedNode, e: ResolvedExporter): Check {
  return {
    id: firewallCheckId(e),
    kind: 'firewall',
    group: node.name,
    node: node.name,
    title: `firewall on ${node.name} lets :${e.port} in`,
    // a port nothing listens on needs no firewall verdict: one fault, one problem
    dependsOn: [sshCheckId(node.name), exporterCheckId(e)],
    timeoutMs: node.ssh.connectTimeoutMs + 4 * node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      return firewallDiagnosis(await ctx.resources.firewall(node), e.port)
    },
  }
}
