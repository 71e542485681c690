/**
 * target:<node>/<exporter> — Prometheus scrapes the exporter. When it does not, the down target is
 * diagnosed along the runbook's chain (diagnose.ts) with what the chain's checks saw.
 */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import type {TargetRow} from '../../../prometheus/targets.js'
import {isSshError} from '../../../ssh/errors.js'
import {formatAge} from '../../../output/time.js'
import {diagnoseDownTarget, type DownTargetEvidence} from '../../diagnose.js'
import {NODE_UNREACHABLE, SLACK_MS, type Check, type CheckContext} from '../../model.js'
import {errorText} from '../../outcomes.js'
import {targetForExporter} from '../exporter-target.js'
import {fetchCheckId, healthCheckId, sshCheckId, targetCheckId} from '../ids.js'

/** What the chain links saw, fetched through the shared resources (free when the links already ran). */
async function downTargetEvidence(ctx: CheckContext, node: ResolvedNode, e: ResolvedExporter, target: TargetRow): Promise<DownTargetEvidence> {
  const ev: DownTargetEvidence = {target, node, exporter: e, sshUser: node.ssh.user}
  const ranSsh = ctx.outcomeOf(sshCheckId(node.name))
  try {
    await ctx.resources.sshConnect(node)
    ev.ssh = {ok: true}
  } catch (error) {
    ev.ssh = isSshError(error) ? {ok: false, failure: error.failure, message: error.message, hint: error.hint} : {ok: false, failure: 'ssh', message: errorText(error)}
  }
  if (ranSsh && ranSsh.cause === NODE_UNREACHABLE && ev.ssh.ok) ev.ssh = {ok: false, failure: 'timeout', message: ranSsh.detail}
  const reachable = ev.ssh.ok
  const [state, firewall, fetch] = await Promise.all([
    reachable ? ctx.resources.exporterRow(node, e).catch(() => undefined) : undefined,
    reachable && node.firewall !== 'none' ? ctx.resources.firewall(node).catch(() => undefined) : undefined,
    ev.ssh.ok || ev.ssh.failure !== 'timeout' ? ctx.resources.fetch(e) : undefined,
  ])
  if (state) ev.state = state
  if (firewall) ev.firewall = firewall
  if (fetch) ev.fetch = fetch
  return ev
}

export function targetCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter): Check {
  return {
    id: targetCheckId(e),
    kind: 'target',
    group: node.name,
    node: node.name,
    title: `Prometheus scrapes ${e.id} (job ${e.job})`,
    dependsOn: [healthCheckId('prometheus'), fetchCheckId(e)],
    timeoutMs: cfg.timeoutMs + node.ssh.connectTimeoutMs + 4 * node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      const report = await ctx.resources.targets()
      if (report.notScraping) return {status: 'warn', cause: 'not_scraping', detail: `not known: ${report.notScraping.message} (see targets:prometheus)`}
      const t = targetForExporter(report.targets, e)
      if (!t) {
        return {
          status: 'fail',
          cause: 'target_missing',
          detail: `Prometheus has no target for ${e.address}:${e.port} (job ${e.job})`,
          hint: `add it to prometheus.yml's scrape_configs (hydra config scrape prints them), then reload Prometheus`,
        }
      }
      if (t.health === 'up') return {status: 'ok', detail: `${t.instance} up${t.lastScrape ? `, scraped ${formatAge(t.lastScrape)}` : ''}`}
      return diagnoseDownTarget(await downTargetEvidence(ctx, node, e, t))
    },
  }
}
