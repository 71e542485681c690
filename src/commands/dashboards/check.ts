import {Args} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {checkDashboards, type CheckReport} from '../../lib/grafana/check.js'
import {GrafanaClient, requireGrafana} from '../../lib/grafana/client.js'
import {renderDashboardCheck} from '../../lib/grafana/render.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'

export default class DashboardsCheck extends HydraCommand<typeof DashboardsCheck> {
  static override summary = 'find broken dashboard panels: missing data sources, and metrics Prometheus does not have'
  static override description = `For every panel target of every dashboard (or the UIDs given), rows and nested panels and library panels included: resolves its data source (uid, name, \${DS_...} inputs, data-source variables, mixed, the default) and, for Prometheus targets, parses the PromQL (Grafana variables such as $instance, \${var} and $__rate_interval substituted first) and checks that every metric it names exists in Prometheus now (one /api/v1/label/__name__/values call). A panel is broken when its data source is missing or aimed elsewhere than the config's Prometheus, its PromQL does not parse, or a metric does not exist; where a known rename explains it (e.g. nvidia_gpu_temperature_celsius → nvidia_smi_temperature_gpu, from the table hydra gpu uses) the replacement is named. Replaces the runbook's "Grafana Dashboard Empty" steps.

${EXIT_CODES_HELP}
  (dashboards check: 1 when any panel is broken or a named dashboard does not exist)`
  static override examples = ['<%= config.bin %> dashboards check', '<%= config.bin %> dashboards check gpu-overview --json']
  static override strict = false
  static override args = {uid: Args.string({description: 'dashboard UIDs to check (default: every dashboard)', required: false})}

  async run(): Promise<CheckReport> {
    const cluster = this.cluster
    const grafana = new GrafanaClient(requireGrafana(cluster.grafana))
    const {argv} = await this.parse(DashboardsCheck)
    const prometheus = new PrometheusClient(cluster.prometheus)
    try {
      const report = await checkDashboards({grafana, prometheus, config: cluster, uids: argv as string[]})
      this.print(renderDashboardCheck(report, {style: this.style}))
      return report
    } finally {
      await Promise.all([grafana.close(), prometheus.close()])
    }
  }
}
