/**
 * canary:loki — with `logs.canary: true` (off by default: it writes one small stream per run), push
 * one line to Loki's push URL and read it back from its query URL: `hydra loki canary`'s round trip,
 * under the doctor's signal. It runs after health:loki, so a Loki that is down or starting is
 * reported once, there, and this check is skipped under it. Its own causes: Loki refused the push
 * (its words as evidence), the push got no answer (a write path of its own that is down), reading
 * back failed, or the line never became readable.
 */
import {LokiClient, type LokiEndpoint} from '../../../loki/client.js'
import {DEFAULT_CANARY_TIMEOUT_MS, lokiCanary} from '../../../loki/canary.js'
import {formatDuration} from '../../../format.js'
import {SLACK_MS, type Check} from '../../model.js'
import {healthCheckId} from '../ids.js'

export const CANARY_CHECK_ID = 'canary:loki'

export function canaryCheck(loki: LokiEndpoint, waitMs = DEFAULT_CANARY_TIMEOUT_MS): Check {
  const split = loki.pushUrl !== undefined && loki.pushUrl !== loki.baseUrl
  return {
    id: CANARY_CHECK_ID,
    kind: 'canary',
    group: 'loki',
    service: 'loki',
    ...(loki.node ? {node: loki.node} : {}),
    title: split ? `a line pushed to Loki's write path (${loki.pushUrl}) comes back from its read path` : 'a line pushed to Loki comes back',
    dependsOn: [healthCheckId('loki')],
    // the push (the endpoint's timeout), then up to waitMs of reading back
    timeoutMs: loki.timeoutMs + waitMs + SLACK_MS,
    async run(ctx) {
      const client = new LokiClient(loki)
      try {
        const r = await lokiCanary(client, {timeoutMs: waitMs, signal: ctx.signal})
        const push = `POST ${r.pushUrl}/loki/api/v1/push ${r.selector}${r.tenant ? ` (X-Scope-OrgID ${r.tenant})` : ''}`
        if (r.ok) {
          return {status: 'ok', detail: `pushed in ${r.pushMs} ms, read back from ${r.queryUrl} after ${r.roundTripMs} ms`, evidence: [`${push}: 204`, `query_range ${r.selector}: the line after ${r.attempts} ${r.attempts === 1 ? 'query' : 'queries'}`]}
        }
        const evidence =
          r.failure === 'push_refused' || r.failure === 'push_unreachable'
            ? [`${push}: ${r.cause}`]
            : [`${push}: 204 in ${r.pushMs} ms`, `query_range ${r.selector} on ${r.queryUrl}: ${r.failure === 'not_readable' ? `not there after ${r.attempts} queries in ${formatDuration(waitMs)}` : r.cause}`]
        return {status: 'fail', cause: `canary_${r.failure ?? 'failed'}`, detail: r.cause ?? 'the canary failed', evidence, ...(r.hint ? {hint: r.hint} : {})}
      } finally {
        await client.close()
      }
    },
  }
}
