/** auth:grafana — Grafana accepts hydra's credentials (a refused token fails here, once). */
import type {GrafanaEndpoint} from '../../../grafana/client.js'
import {HydraError, UserError} from '../../../errors.js'
import type {Check} from '../../model.js'
import {httpFailure} from '../../outcomes.js'
import {healthCheckId} from '../ids.js'
import {grafanaApiCheck} from './grafana-check.js'

export function grafanaAuthCheck(grafana: GrafanaEndpoint): Check {
  return grafanaApiCheck(grafana, {
    kind: 'auth',
    title: "Grafana accepts hydra's credentials",
    dependsOn: [healthCheckId('grafana')],
    calls: 1,
    async run(client, ctx) {
      try {
        await client.checkAccess({signal: ctx.signal})
        return {status: 'ok', detail: `accepted ${client.credential}`}
      } catch (error) {
        if (error instanceof HydraError && error.exitCode === 4) {
          return {status: 'fail', cause: 'authentication', detail: error.message, evidence: [error.message], hint: error.hint}
        }
        if (error instanceof UserError) return {status: 'fail', cause: 'credentials_missing', detail: error.message, hint: error.hint}
        return httpFailure('Grafana', error)
      }
    },
  })
}
