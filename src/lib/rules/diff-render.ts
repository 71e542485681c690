/** `hydra rules diff` for a person. Pure. */
import type {RulesDiffReport} from './diff.js'

export function renderRulesDiff(drift: RulesDiffReport): string {
  const out: string[] = []
  if (drift.inSync) out.push(`in sync: ${drift.server} has loaded the ${drift.compared} rendered rules, as rendered, and no other alerting rule`)
  for (const m of drift.missing) out.push(`missing from ${drift.engine ?? 'Prometheus'}: ${m.alert} (group ${m.group})`)
  for (const e of drift.extra) out.push(`not rendered by hydra: ${e.alert} (group ${e.group}${e.file ? `, ${e.file}` : ''})`)
  for (const c of drift.changed) out.push(`changed: ${c.alert} ${c.field}: rendered ${c.rendered}, loaded ${c.live}`)
  if (!drift.inSync) out.push('next: hydra rules render -o hydra-rules.yml, review, copy it to the rule_files of Prometheus and reload it')
  return out.join('\n')
}
