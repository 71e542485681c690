/** retention:prometheus — the server's retention is the one services.prometheus.retention expects. */
import type {HydraConfig} from '../../../config/resolve.js'
import {compareRetention, serverRetention} from '../../../prometheus/tsdb.js'
import type {Check} from '../../model.js'
import {prometheusApiCheck} from './api-check.js'

export function retentionCheck(cfg: HydraConfig): Check {
  return prometheusApiCheck(cfg, 'retention', 'retention as configured', async (ctx) => {
    const check = compareRetention(cfg, await serverRetention(ctx.resources.prometheus(), {signal: ctx.signal, retries: 0}))
    if (check.ok) return {status: 'ok', detail: check.actual ? `retention ${check.actual.text}` : 'no retention configured to compare'}
    return {
      status: 'warn',
      cause: 'retention_mismatch',
      detail: check.mismatches.join('; '),
      evidence: check.actual ? [`server: ${check.actual.text} (from ${check.actual.source})`] : [],
      hint: 'set --storage.tsdb.retention.time/--storage.tsdb.retention.size on Prometheus (they are command-line flags, not prometheus.yml keys), or fix services.prometheus.retention; see: hydra tsdb status',
    }
  })
}
