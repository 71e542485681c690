/**
 * panels:grafana — no dashboard panel is broken: its data source exists and is the config's
 * Prometheus, its PromQL parses and the metrics it names exist now (the runbook's nvidia_gpu_*
 * panels that show "No data" forever). A broken panel is a WARNING — the cluster works, a graph
 * does not — with the count and the command that shows each one. Reuses `checkDashboards`.
 */
import type {HydraConfig} from '../../../config/resolve.js'
import type {CheckReport} from '../../../grafana/check.js'
import type {Check, CheckOutcome} from '../../model.js'
import {callOptions, GRAFANA_AUTH_ID, serviceHealthIds, grafanaApiCheck} from './grafana-check.js'

const MAX_EVIDENCE = 10

export function brokenPanelsCheck(cfg: HydraConfig): Check {
  const grafana = cfg.grafana!
  return grafanaApiCheck(grafana, {
    kind: 'panels',
    title: 'no Grafana panel queries a missing data source or metric',
    // the metric names come from Prometheus: with Prometheus down every panel would look broken
    dependsOn: [GRAFANA_AUTH_ID, ...serviceHealthIds(cfg, ['prometheus'])],
    // the search, every dashboard (8 at a time) and one Prometheus listing
    calls: 4,
    run: async (client, ctx) => {
      // loaded when the check runs, not on every doctor's start-up: the dashboard checker parses
      // panels with Prometheus' PromQL grammar (@prometheus-io/lezer-promql), 40-70 ms of CPU to load
      const {checkDashboards} = await import('../../../grafana/check.js')
      return judgePanels(await checkDashboards({grafana: client, prometheus: ctx.resources.prometheus(), config: ctx.cfg, ...callOptions(ctx, grafana)}))
    },
  })
}

/** The outcome for a dashboards check report. Pure. */
export function judgePanels(report: CheckReport): CheckOutcome {
  const {summary} = report
  const scope = `${summary.panels} panel${summary.panels === 1 ? '' : 's'} in ${summary.dashboards} dashboard${summary.dashboards === 1 ? '' : 's'}`
  if (summary.brokenPanels === 0) return {status: 'ok', detail: `${scope} checked against ${report.metricsKnown} metric names: none broken`}
  const broken = report.dashboards.filter((d) => d.status === 'broken')
  const evidence: string[] = []
  for (const d of broken)
    for (const p of d.panels.filter((x) => x.status === 'broken'))
      for (const problem of p.problems) evidence.push(`${d.title} (${d.uid}) / panel ${p.id ?? '?'} "${p.title}": ${problem.message}${problem.replacement ? ` → use ${problem.replacement}` : ''}`)
  const more = evidence.length > MAX_EVIDENCE ? [`… and ${evidence.length - MAX_EVIDENCE} more`] : []
  return {
    status: 'warn',
    cause: 'broken_panels',
    detail: `${summary.brokenPanels} broken panel${summary.brokenPanels === 1 ? '' : 's'} of ${scope}: ${broken.map((d) => `${d.title} (${d.panels.filter((p) => p.status === 'broken').length})`).join(', ')}`,
    evidence: [...evidence.slice(0, MAX_EVIDENCE), ...more],
    hint: `see them: hydra dashboards check${broken.length === 1 ? ` ${broken[0]!.uid}` : ''}`,
  }
}
