/** rules:prometheus — every recording and alerting rule evaluates (no rule with health "err"). */
import type {HydraConfig} from '../../../config/resolve.js'
import {ruleEngineMissing, ruleGroups, unhealthyRules} from '../../../prometheus/alerts.js'
import {backendOf} from '../../../prometheus/backend.js'
import type {Check} from '../../model.js'
import {prometheusApiCheck} from './api-check.js'

export function rulesCheck(cfg: HydraConfig): Check {
  return prometheusApiCheck(cfg, 'rules', 'every rule evaluates', async (ctx) => {
    const prom = ctx.resources.prometheus()
    const [backend, groups] = await Promise.all([backendOf(prom, {signal: ctx.signal}), ruleGroups(prom, {signal: ctx.signal, retries: 0})])
    // VictoriaMetrics without vmalert: empty stubs, not "0 rules, all healthy"
    const none = ruleEngineMissing(backend, groups.length, prom.baseUrl)
    if (none) return {status: 'fail', cause: 'no_rule_engine', detail: none.message, hint: none.hint}
    const bad = unhealthyRules(groups)
    const count = groups.reduce((n, g) => n + (g.rules ?? []).length, 0)
    if (bad.length === 0) return {status: 'ok', detail: `${count} rule${count === 1 ? '' : 's'} in ${groups.length} groups, all healthy`}
    return {
      status: 'fail',
      cause: 'rule_error',
      detail: `${bad.length} rule${bad.length === 1 ? '' : 's'} failing: ${bad.map((r) => r.rule).join(', ')}`,
      evidence: bad.map((r) => `${r.file} ${r.group}/${r.rule}: ${r.lastError}`),
      hint: 'fix the rule expression (promtool check rules FILE), then reload Prometheus; see: hydra alerts',
    }
  })
}
