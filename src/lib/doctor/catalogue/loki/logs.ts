/** logs:<container> — Loki has a line from the container within logs.recentWithin. */
import type {HydraConfig} from '../../../config/resolve.js'
import {formatDuration} from '../../../format.js'
import {LokiClient, type LokiEndpoint} from '../../../loki/client.js'
import {queryLogs} from '../../../loki/logs.js'
import {formatAge} from '../../../output/time.js'
import {SLACK_MS, type Check} from '../../model.js'
import {httpFailure} from '../../outcomes.js'
import {healthCheckId, logdriverCheckId} from '../ids.js'

export function recentLogsCheck(cfg: HydraConfig, loki: LokiEndpoint, container: string): Check {
  const withinMs = cfg.logs.recentWithinMs
  return {
    id: `logs:${container}`,
    kind: 'logs',
    group: 'loki',
    service: container,
    ...(loki.node ? {node: loki.node} : {}),
    title: `Loki has lines from ${container} in the last ${formatDuration(withinMs)}`,
    dependsOn: [healthCheckId('loki'), logdriverCheckId(container)],
    timeoutMs: loki.timeoutMs + SLACK_MS,
    async run(ctx) {
      const client = new LokiClient(loki)
      // the Loki Docker driver labels lines container_name (api-facts.md §7), not container
      const query = `{container_name=${JSON.stringify(container)}}`
      try {
        const r = await queryLogs(client, {query, sinceMs: withinMs, limit: 1, direction: 'backward', signal: ctx.signal})
        const last = r.entries[0]
        if (!last) {
          return {
            status: 'fail',
            cause: 'no_recent_logs',
            detail: `no line from ${container} in Loki in the last ${formatDuration(withinMs)}`,
            evidence: [`query_range ${query}: 0 lines`],
            hint: `is ${container} running and shipping? hydra docker logs ${container} --tail 20; hydra docker logdriver ${container}`,
          }
        }
        return {status: 'ok', detail: `last line ${formatAge(Number(BigInt(last.ns) / 1_000_000n))}`}
      } catch (error) {
        return httpFailure(`Loki query ${query}`, error)
      } finally {
        await client.close()
      }
    },
  }
}
