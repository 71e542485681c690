/**
 * health:<probe> — the service (or exporter, or app) answers its health endpoint. One builder for
 * every family: the probe (health/probes.ts) says where and how to ask.
 */
import type {HydraConfig} from '../../config/resolve.js'
import {probeHealth, type HealthProbe} from '../../health/probes.js'
import {SLACK_MS, type Check, type CheckOutcome} from '../model.js'
import {healthCheckId, sshCheckId} from './ids.js'

function healthCause(probe: HealthProbe, cause: string | undefined): string {
  if (cause === 'auth') return 'authentication'
  if (cause === 'unhealthy') return probe.kind === 'loki' ? 'loki_not_ready' : `${probe.kind}_unhealthy`
  // Loki's /ready while it starts or stops (health/probes.ts lokiReady)
  if (cause === 'starting' || cause === 'stopping') return `${probe.kind}_${cause}`
  return cause ?? 'error'
}

export function healthCheck(cfg: HydraConfig, probe: HealthProbe, dependsOn: string[] = []): Check {
  const onNode = probe.node ? cfg.nodes.find((n) => n.name === probe.node) : undefined
  const isService = !probe.id.includes('/')
  return {
    id: healthCheckId(probe.id),
    kind: 'health',
    group: isService ? probe.id : (probe.node ?? probe.id),
    ...(probe.node ? {node: probe.node} : {}),
    ...(isService ? {service: probe.id} : {}),
    title: `${probe.id} answers ${probe.path}`,
    dependsOn,
    ...(onNode ? {reachability: sshCheckId(onNode.name)} : {}),
    timeoutMs: probe.endpoint.timeoutMs + SLACK_MS,
    async run(ctx) {
      const r = await probeHealth(probe, ctx.signal)
      if (r.status === 'ok') return {status: 'ok', detail: `${r.detail} (${r.latencyMs}ms)`}
      const cause = healthCause(probe, r.cause)
      const body = r.detail
      const outcome: CheckOutcome = {
        status: probe.required ? 'fail' : 'warn',
        cause,
        detail: cause === 'loki_not_ready' ? `Loki is not ready: ${body}` : r.evidence ? body : `${probe.id} at ${r.url}: ${body}`,
        // the detail already starts with "HTTP <status>" when the server answered; r.evidence is what it said, word for word
        evidence: [r.evidence ? `GET ${r.url}: ${r.evidence}` : `GET ${r.url}${r.httpStatus && !body.startsWith('HTTP ') ? ` → HTTP ${r.httpStatus}` : ''}: ${body}`],
        hint:
          cause === 'loki_not_ready'
            ? `Loki answers but is not ready; see why: hydra docker logs ${cfg.loki?.container ?? 'loki'} --tail 50`
            : (r.hint ?? `check ${probe.id}'s logs`),
      }
      if (!probe.required) outcome.detail += ' (optional service)'
      return outcome
    },
  }
}

/** The health check of a service probe (no `/` in its id), if the config has that service. */
export function serviceHealth(cfg: HydraConfig, probes: HealthProbe[], id: string): Check[] {
  const probe = probes.find((p) => p.id === id && !p.id.includes('/'))
  return probe ? [healthCheck(cfg, probe)] : []
}
