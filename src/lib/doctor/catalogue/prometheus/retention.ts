/** retention:prometheus — the server's retention is the one services.prometheus.retention expects. */
import type {HydraConfig} from '../../../config/resolve.js'
import {backendOf, retentionFix} from '../../../prometheus/backend.js'
import {compareRetention, serverRetention} from '../../../prometheus/tsdb.js'
import type {Check} from '../../model.js'
import {prometheusApiCheck} from './api-check.js'

export function retentionCheck(cfg: HydraConfig): Check {
  return prometheusApiCheck(cfg, 'retention', 'retention as configured', async (ctx) => {
    const prom = ctx.resources.prometheus()
    const backend = await backendOf(prom, {signal: ctx.signal})
    const check = compareRetention(cfg, await serverRetention(prom, {signal: ctx.signal, retries: 0}), backend)
    if (check.ok) return {status: 'ok', detail: check.actual ? `retention ${check.actual.text}` : 'no retention configured to compare'}
    return {
      status: 'warn',
      cause: 'retention_mismatch',
      detail: check.mismatches.join('; '),
      evidence: check.actual ? [`server: ${check.actual.text} (from ${check.actual.source})`] : [],
      // the backend's own flags: Prometheus' --storage.tsdb.retention.*, VictoriaMetrics' -retentionPeriod
      hint: `${retentionFix(backend)}; see: hydra tsdb status`,
    }
  })
}
