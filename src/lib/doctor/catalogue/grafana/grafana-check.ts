/** What the Grafana checks after auth:grafana share: their dependencies, their client and their failures. */
import type {HydraConfig} from '../../../config/resolve.js'
import {HydraError} from '../../../errors.js'
import {GrafanaClient, type GrafanaEndpoint} from '../../../grafana/client.js'
import {SLACK_MS, type Check, type CheckContext, type CheckKind, type CheckOutcome} from '../../model.js'
import {httpFailure} from '../../outcomes.js'
import {healthCheckId} from '../ids.js'

/** Every Grafana check after auth runs only once Grafana answers and accepts the credential (one root, reported once). */
export const GRAFANA_AUTH_ID = 'auth:grafana'

/** Run fn with a client of its own (closed after), turning what a call throws into an outcome. */
export async function withGrafana(grafana: GrafanaEndpoint, fn: (client: GrafanaClient) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const client = new GrafanaClient(grafana)
  try {
    return await fn(client)
  } catch (error) {
    // a credential that passes auth:grafana (dashboards:read) but lacks this call's permission
    if (error instanceof HydraError && error.exitCode === 4) return {status: 'fail', cause: 'permission_denied', detail: error.message, evidence: [error.message], ...(error.hint ? {hint: error.hint} : {})}
    return httpFailure('Grafana', error)
  } finally {
    await client.close()
  }
}

/** The per-call options a check passes to the grafana domain: its own signal, the endpoint's timeout. */
export function callOptions(ctx: Pick<CheckContext, 'signal'>, grafana: GrafanaEndpoint): {signal: AbortSignal; timeoutMs: number} {
  return {signal: ctx.signal, timeoutMs: grafana.timeoutMs}
}

/** The health checks of the config's Prometheus and Loki, when the config has them. */
export function serviceHealthIds(cfg: HydraConfig, services: ('prometheus' | 'loki')[]): string[] {
  return services.filter((s) => s === 'prometheus' || Boolean(cfg.loki)).map((s) => healthCheckId(s))
}

/**
 * The shape of a check of Grafana's API: grouped under the service, after auth:grafana (unless
 * `dependsOn` says otherwise), `calls` round trips of the endpoint's timeout, a client of its own.
 */
export function grafanaApiCheck(
  grafana: GrafanaEndpoint,
  spec: {kind: CheckKind; title: string; calls: number; dependsOn?: string[]; run: (client: GrafanaClient, ctx: CheckContext) => Promise<CheckOutcome>},
): Check {
  return {
    id: `${spec.kind}:grafana`,
    kind: spec.kind,
    group: 'grafana',
    service: 'grafana',
    ...(grafana.node ? {node: grafana.node} : {}),
    title: spec.title,
    dependsOn: spec.dependsOn ?? [GRAFANA_AUTH_ID],
    timeoutMs: spec.calls * grafana.timeoutMs + SLACK_MS,
    run: (ctx) => withGrafana(grafana, (client) => spec.run(client, ctx)),
  }
}
