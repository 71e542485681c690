/** alerts:prometheus — no alert is firing. */
import type {HydraConfig} from '../../../config/resolve.js'
import {promAlerts, ruleEngineMissing} from '../../../prometheus/alerts.js'
import {backendOf} from '../../../prometheus/backend.js'
import type {Check} from '../../model.js'
import {prometheusApiCheck} from './api-check.js'

export function alertsCheck(cfg: HydraConfig): Check {
  // the alerts a failed check explains are folded into it after the run (doctor/explained.ts)
  const check = prometheusApiCheck(cfg, 'alerts', 'no alert firing', async (ctx) => {
    const prom = ctx.resources.prometheus()
    const [backend, alerts] = await Promise.all([backendOf(prom, {signal: ctx.signal}), promAlerts(prom, {signal: ctx.signal, retries: 0})])
    // nothing evaluates rules: an empty list is "cannot tell" (the cause is reported once, by rules:prometheus)
    if (alerts.length === 0 && ruleEngineMissing(backend, 0, prom.baseUrl))
      return {status: 'warn', cause: 'no_rule_engine', detail: 'not known: nothing evaluates alert rules behind this server (see rules:prometheus)'}
    const firing = alerts.filter((a) => a.state === 'firing')
    const pending = alerts.filter((a) => a.state === 'pending')
    if (firing.length === 0) return {status: 'ok', detail: `nothing firing${pending.length ? ` (${pending.length} pending)` : ''}`}
    const names = [...new Set(firing.map((a) => a.labels.alertname ?? '?'))]
    return {
      status: 'fail',
      cause: 'alerts_firing',
      detail: `${firing.length} alert${firing.length === 1 ? '' : 's'} firing: ${names.join(', ')}`,
      evidence: firing.map((a) => `${a.labels.alertname}${a.labels.instance ? ` ${a.labels.instance}` : ''}${a.annotations?.summary ? `: ${a.annotations.summary}` : ''}`),
      hint: 'see them with: hydra alerts',
      alertLabels: firing.map((a) => a.labels),
    }
  })
  return {...check, settlesAfterRun: true}
}
