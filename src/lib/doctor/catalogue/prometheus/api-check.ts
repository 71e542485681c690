/** The shape of a check of Prometheus's own API: grouped under the service, after its health check. */
import type {HydraConfig} from '../../../config/resolve.js'
import {SLACK_MS, type Check} from '../../model.js'
import {healthCheckId} from '../ids.js'

export function prometheusApiCheck(cfg: HydraConfig, kind: string, title: string, run: Check['run']): Check {
  return {
    id: `${kind}:prometheus`,
    kind,
    group: 'prometheus',
    service: 'prometheus',
    ...(cfg.prometheus.node ? {node: cfg.prometheus.node} : {}),
    title,
    dependsOn: [healthCheckId('prometheus')],
    timeoutMs: cfg.prometheus.timeoutMs * 2 + SLACK_MS,
    run,
  }
}
