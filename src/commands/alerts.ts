import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {AlertmanagerClient} from '../lib/alertmanager/api.js'
import {alertsReport} from '../lib/prometheus/alerts.js'
import {alertmanagerWarning, renderAlerts} from '../lib/prometheus/alerts-render.js'
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
      const report = await alertsReport(prom, this.cluster, am, {failOnFiring: this.flags['fail-on-firing']})
      const warning = alertmanagerWarning(report)
      if (warning) this.note(warning)
      this.print(renderAlerts(report, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await Promise.all([prom.close(), am?.close()])
    }
  }
}
