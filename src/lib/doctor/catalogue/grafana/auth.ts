/** auth:grafana — Grafana accepts hydra's credentials (a refused token fails here, once). */
import {GrafanaClient, type GrafanaEndpoint} from '../../../grafana/client.js'
import {HydraError, UserError} from '../../../errors.js'
import {SLACK_MS, type Check} from '../../model.js'
import {httpFailure} from '../../outcomes.js'
import {healthCheckId} from '../ids.js'

export function grafanaAuthCheck(grafana: GrafanaEndpoint): Check {
  return {
    id: 'auth:grafana',
    kind: 'auth',
    group: 'grafana',
    service: 'grafana',
    ...(grafana.node ? {node: grafana.node} : {}),
    title: "Grafana accepts hydra's credentials",
    dependsOn: [healthCheckId('grafana')],
    timeoutMs: grafana.timeoutMs + SLACK_MS,
    async run(ctx) {
      const client = new GrafanaClient(grafana)
      try {
        await client.checkAccess({signal: ctx.signal})
        return {status: 'ok', detail: `accepted ${client.credential}`}
      } catch (error) {
        if (error instanceof HydraError && error.exitCode === 4) {
          return {status: 'fail', cause: 'authentication', detail: error.message, evidence: [error.message], hint: error.hint}
        }
        if (error instanceof UserError) return {status: 'fail', cause: 'credentials_missing', detail: error.message, hint: error.hint}
        return httpFailure('Grafana', error)
      } finally {
        await client.close()
      }
    },
  }
}
