/**
 * datasources:grafana — every Grafana data source passes Grafana's own health check, and the
 * config's Prometheus and Loki each have a data source aimed at them (the runbook's "Grafana
 * Dashboard Empty", step 1). A data source aimed at an old address is the root cause there, so it
 * is named before the unhealthy answer it also gives. Reuses `checkDatasources` (hydra datasources).
 */
import type {HydraConfig} from '../../../config/resolve.js'
import {checkDatasources, type DatasourceRow} from '../../../grafana/datasources.js'
import type {Check, CheckContext, CheckOutcome} from '../../model.js'
import {healthCheckId} from '../ids.js'
import {callOptions, GRAFANA_AUTH_ID, serviceHealthIds, grafanaApiCheck} from './grafana-check.js'

const label = (d: DatasourceRow) => `${d.name} (${d.uid})`

export function datasourcesCheck(cfg: HydraConfig): Check {
  const grafana = cfg.grafana!
  return grafanaApiCheck(grafana, {
    kind: 'datasources',
    title: "Grafana's data sources are healthy and aimed at the config's Prometheus and Loki",
    dependsOn: [GRAFANA_AUTH_ID, ...serviceHealthIds(cfg, ['prometheus', 'loki'])],
    // the list, then every data source's health at once (Grafana's own query can take its timeout)
    calls: 3,
    async run(client, ctx) {
      const report = await checkDatasources({grafana: client, config: ctx.cfg, ...callOptions(ctx, grafana)})
      return judge(report.datasources, report.healthSupported, report.grafana.version, ctx)
    },
  })
}

/** The outcome for the rows Grafana gave. Pure but for ctx.outcomeOf (the services' own health). */
export function judge(rows: DatasourceRow[], healthSupported: boolean, version: string | undefined, ctx: Pick<CheckContext, 'cfg' | 'outcomeOf'>): CheckOutcome {
  const notes: string[] = []
  // a data source aimed at the config's service fails with it: the service's own check names that, once
  const serviceDown = (d: DatasourceRow) => {
    const status = d.target?.verdict === 'same' ? ctx.outcomeOf(healthCheckId(d.target.service))?.status : undefined
    return status !== undefined && status !== 'ok'
  }
  const elsewhere = rows.filter((d) => d.target?.verdict === 'elsewhere')
  const unhealthy = rows.filter((d) => d.health.status === 'error' && d.target?.verdict !== 'elsewhere' && !serviceDown(d))
  for (const d of rows.filter((r) => r.health.status === 'error' && serviceDown(r))) notes.push(`${label(d)} fails because ${d.target!.service} itself does (health:${d.target!.service})`)
  for (const d of rows.filter((r) => r.target?.verdict === 'unknown')) notes.push(`${label(d)}: ${d.target!.detail}`)
  const wanted: ('prometheus' | 'loki')[] = ['prometheus', ...(ctx.cfg.loki ? ['loki' as const] : [])]
  const uncovered = wanted.filter((s) => !rows.some((d) => d.target?.service === s && d.target.verdict !== 'elsewhere'))
  const evidence = [
    ...elsewhere.map((d) => `${label(d)} url ${d.url}: ${d.target!.detail}${d.health.status === 'error' ? `; health: ${d.health.message}` : ''}`),
    ...unhealthy.map((d) => `GET /api/datasources/uid/${d.uid}/health: ERROR ${d.health.message}`),
  ]
  const suffix = notes.length > 0 ? ` (${notes.join('; ')})` : ''
  if (elsewhere.length > 0) {
    const first = elsewhere[0]!
    return {
      status: 'fail',
      cause: 'datasource_elsewhere',
      detail: `${elsewhere.length === 1 ? 'data source' : `${elsewhere.length} data sources:`} ${elsewhere.map((d) => `${label(d)} ${d.target!.detail}`).join('; ')}${suffix}`,
      evidence,
      hint: `point ${first.name} at ${first.target!.expected} (Grafana: Connections > Data sources > ${first.name} > URL), or delete it if no panel uses it (hydra dashboards check shows which do); see all: hydra datasources`,
    }
  }
  if (uncovered.length > 0) {
    return {
      status: 'fail',
      cause: 'datasource_missing',
      detail: `no Grafana data source points at the config's ${uncovered.join(' or ')} (${uncovered.map((s) => (s === 'prometheus' ? ctx.cfg.prometheus.baseUrl : ctx.cfg.loki!.baseUrl)).join(', ')})${suffix}`,
      evidence: rows.map((d) => `${label(d)}: ${d.type} ${d.url}`),
      hint: `add one (Grafana: Connections > Data sources > Add), or import a dashboard with: hydra dashboards import, which maps its inputs to the config's services; see: hydra datasources`,
    }
  }
  if (unhealthy.length > 0) {
    return {
      status: 'fail',
      cause: 'datasource_unhealthy',
      detail: `${unhealthy.length === 1 ? 'data source' : `${unhealthy.length} data sources`} failed Grafana's health check: ${unhealthy.map((d) => `${label(d)}: ${d.health.message}`).join('; ')}${suffix}`,
      evidence,
      hint: `see: hydra datasources; then Grafana: Connections > Data sources > ${unhealthy[0]!.name} > Save & test`,
    }
  }
  const checked = healthSupported ? 'healthy' : `not health-checked (Grafana ${version ?? '?'} has no data-source health route; it came in 9.0)`
  return {status: 'ok', detail: `${rows.length} data source${rows.length === 1 ? '' : 's'} ${checked}; ${wanted.join(' and ')} aimed at the config's${suffix}`}
}
