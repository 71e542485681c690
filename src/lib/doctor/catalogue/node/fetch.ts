/** fetch:<node>/<exporter> — hydra itself can GET the exporter's metrics (runbook: Target Down, step 3). */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import {fetchDiagnosis} from '../../diagnose.js'
import {SLACK_MS, type Check} from '../../model.js'
import {exporterCheckId, fetchCheckId, firewallCheckId, sshCheckId} from '../ids.js'

export function fetchCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter, withFirewall: boolean): Check {
  return {
    id: fetchCheckId(e),
    kind: 'fetch',
    group: node.name,
    node: node.name,
    title: `hydra can GET ${e.url}`,
    dependsOn: [exporterCheckId(e), ...(withFirewall ? [firewallCheckId(e)] : [])],
    reachability: sshCheckId(node.name),
    timeoutMs: cfg.timeoutMs + SLACK_MS,
    async run(ctx) {
      return fetchDiagnosis(await ctx.resources.fetch(e), e)
    },
  }
}
