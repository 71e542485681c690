import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {AlertmanagerClient} from '../lib/alertmanager/api.js'
import {ExitCode} from '../lib/errors.js'
import {renderTable} from '../lib/output/table.js'
import {statusWord} from '../lib/output/terminal.js'
import {formatAge} from '../lib/output/time.js'
import {AM_FAILURE_WORDS, alertsReport, type AlertRow, type AmAlertRow, type UnhealthyRule} from '../lib/prometheus/alerts.js'
import {PrometheusClient} from '../lib/prometheus/client.js'

export default class Alerts extends HydraCommand<typeof Alerts> {
  static override summary = 'show firing and pending alerts, silences and broken alert rules'
  static override description = `Firing and pending alerts from Prometheus (/api/v1/alerts), Alertmanager's view of them with its active silences (/api/v2/alerts, /api/v2/silences) when services.alertmanager is configured, and the rules whose last evaluation failed (/api/v1/rules), with their error.

${EXIT_CODES_HELP}
  (alerts: 1 when an alert fires (unless --no-fail-on-firing), a rule fails to evaluate, a required Alertmanager does not answer with its API; 4 when Alertmanager refuses the credentials, or nothing evaluates rules behind services.prometheus (VictoriaMetrics without vmalert))`
  static override examples = ['<%= config.bin %> alerts', '<%= config.bin %> alerts --no-fail-on-firing --json', '<%= config.bin %> alerts --no-alertmanager']
  static override flags = {
    'fail-on-firing': Flags.boolean({summary: 'exit 1 when an alert fires (--no-fail-on-firing for cron jobs that only collect)', default: true, allowNo: true}),
    alertmanager: Flags.boolean({summary: "ask Alertmanager too, when configured (--no-alertmanager: Prometheus's view only)", default: true, allowNo: true}),
  }

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    const am = this.flags.alertmanager && this.cluster.alertmanager ? new AlertmanagerClient(this.cluster.alertmanager) : undefined
    try {
      const report = await alertsReport(prom, this.cluster, am)
      const s = report.summary
      if (s.firing > 0 && this.flags['fail-on-firing']) this.setExitCode(ExitCode.FAILURE)
      if (s.unhealthyRules > 0 || report.noRuleEngine) this.setExitCode(ExitCode.FAILURE)
      const amr = report.alertmanager
      if (amr && !amr.reachable) {
        this.note(`warning: Alertmanager ${amr.url} ${AM_FAILURE_WORDS[amr.cause]}: ${amr.error}${amr.hint ? `\n  fix: ${amr.hint}` : ''}`)
        if (amr.cause === 'auth') this.setExitCode(ExitCode.AUTH)
        else if (amr.required) this.setExitCode(ExitCode.FAILURE)
      }
      if (!this.jsonEnabled()) this.render(report)
      return report
    } finally {
      await Promise.all([prom.close(), am?.close()])
    }
  }

  private render(report: Awaited<ReturnType<typeof alertsReport>>): void {
    const now = Date.now()
    const tty = this.term.isTTY
    const nre = report.noRuleEngine
    if (nre) this.print(`${nre.message}\n  fix: ${nre.hint}`)
    else if (report.alerts.length === 0) this.print(`${report.backend?.name ?? 'Prometheus'}: no alert is firing or pending`)
    else
      this.print(
        renderTable(
          [
            {header: 'alert', value: (r: AlertRow) => r.alertname},
            {header: 'state', value: (r) => (r.state === 'firing' ? this.style('red', 'firing') : statusWord(this.style, 'pending')) + (r.silencedBy ? ' (silenced)' : '')},
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
      this.print(`\nAlertmanager ${amr.url}: ${amr.alerts.length} alert(s), ${amr.silences.length} active or pending silence(s)`)
      if (amr.alerts.length > 0)
        this.print(
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
      for (const si of amr.silences) this.print(`  silence ${si.id} (${si.state}) ${si.matchers} until ${si.endsAt} by ${si.createdBy}: ${si.comment}`)
    } else if (amr) this.print(`\nAlertmanager ${amr.url}: ${AM_FAILURE_WORDS[amr.cause]} (${amr.error})`)
    if (report.unhealthyRules.length > 0) {
      this.print(`\n${report.unhealthyRules.length} rule(s) fail to evaluate:`)
      this.print(
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
    if (!nre) this.print(`\n${s.firing} firing, ${s.pending} pending; ${report.rules.alerting} alerting and ${report.rules.recording} recording rules in ${report.rules.groups} group(s), ${s.unhealthyRules} unhealthy`)
  }
}
