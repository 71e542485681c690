/** `hydra alerts` for a person: the alerts, Alertmanager's view with its silences, the broken rules. Pure. */
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import {formatAge} from '../output/time.js'
import {AM_FAILURE_WORDS, type AlertRow, type AlertsReport, type AmAlertRow, type UnhealthyRule} from './alerts.js'
import {counted} from '../format.js'

export interface RenderOptions {
  style: Styler
  tty: boolean
  now?: number
}

/** The stderr warning when Alertmanager gave no answer, or undefined. */
export function alertmanagerWarning(report: AlertsReport): string | undefined {
  const amr = report.alertmanager
  if (!amr || amr.reachable) return undefined
  return `warning: Alertmanager ${amr.url} ${AM_FAILURE_WORDS[amr.cause]}: ${amr.error}${amr.hint ? `\n  fix: ${amr.hint}` : ''}`
}

export function renderAlerts(report: AlertsReport, {style, tty, now = Date.now()}: RenderOptions): string {
  const out: string[] = []
  const nre = report.noRuleEngine
  if (nre) out.push(`${nre.message}\n  fix: ${nre.hint}`)
  else if (report.alerts.length === 0) out.push(`${report.backend?.name ?? 'Prometheus'}: no alert is firing or pending`)
  else
    out.push(
      renderTable(
        [
          {header: 'alert', value: (r: AlertRow) => r.alertname},
          {header: 'state', value: (r) => (r.state === 'firing' ? style('red', 'firing') : statusWord(style, 'pending')) + (r.silencedBy ? ' (silenced)' : '')},
          {header: 'severity', value: (r) => r.severity ?? '-'},
          {header: 'node', value: (r) => r.node ?? '-'},
          {header: 'instance', value: (r) => r.instance ?? '-'},
          {header: 'since', value: (r) => formatAge(r.since, now)},
          {header: 'summary', value: (r) => r.summary ?? '', maxWidth: 60},
        ],
        report.alerts,
        {tty},
      ),
    )
  const amr = report.alertmanager
  if (amr?.reachable) {
    out.push(`\nAlertmanager ${amr.url}: ${counted(amr.alerts.length, 'alert')}, ${counted(amr.silences.length, 'active or pending silence')}`)
    if (amr.alerts.length > 0)
      out.push(
        renderTable(
          [
            {header: 'alert', value: (r: AmAlertRow) => r.alertname},
            {header: 'state', value: (r) => r.state},
            {header: 'instance', value: (r) => r.instance ?? '-'},
            {header: 'receivers', value: (r) => r.receivers.join(', ')},
            {header: 'silenced by', value: (r) => r.silencedBy.join(', ') || '-'},
          ],
          amr.alerts,
          {tty},
        ),
      )
    for (const si of amr.silences) out.push(`  silence ${si.id} (${si.state}) ${si.matchers} until ${si.endsAt} by ${si.createdBy}: ${si.comment}`)
  } else if (amr) out.push(`\nAlertmanager ${amr.url}: ${AM_FAILURE_WORDS[amr.cause]} (${amr.error})`)
  if (report.unhealthyRules.length > 0) {
    out.push(`\n${counted(report.unhealthyRules.length, 'rule')} ${report.unhealthyRules.length === 1 ? 'fails' : 'fail'} to evaluate:`)
    out.push(
      renderTable(
        [
          {header: 'rule', value: (r: UnhealthyRule) => r.rule},
          {header: 'group', value: (r) => r.group},
          {header: 'health', value: (r) => r.health},
          {header: 'last error', value: (r) => r.lastError, maxWidth: 80},
        ],
        report.unhealthyRules,
        {tty},
      ),
    )
  }
  const s = report.summary
  if (!nre) out.push(`\n${s.firing} firing, ${s.pending} pending; ${report.rules.alerting} alerting and ${counted(report.rules.recording, 'recording rule')} in ${counted(report.rules.groups, 'group')}, ${s.unhealthyRules} unhealthy`)
  return out.join('\n')
}
