import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {GrafanaClient, requireGrafana} from '../../lib/grafana/client.js'
import {listDashboards, type DashboardListReport} from '../../lib/grafana/expected.js'
import {renderDashboardList} from '../../lib/grafana/render.js'

export default class DashboardsList extends HydraCommand<typeof DashboardsList> {
  static override summary = 'list Grafana dashboards: the expected ones present or missing, then the rest'
  static override description = `The config's expected dashboards (services.grafana.expectedDashboards; the embedded default has the runbook's four: Node Exporter Full 1860, NVIDIA DCGM 12239, Docker Containers 893 and Hydra AI Control Plane), each present or missing, matched by uid, grafana.com id (the gnetId an import keeps) or title; then every other dashboard with its folder.

${EXIT_CODES_HELP}
  (dashboards list: 1 when an expected dashboard is missing)`
  static override examples = ['<%= config.bin %> dashboards list', '<%= config.bin %> dashboards list --json']

  async run(): Promise<DashboardListReport> {
    const g = requireGrafana(this.cluster.grafana)
    const grafana = new GrafanaClient(g)
    try {
      const report = await listDashboards(grafana, g.expectedDashboards)
      this.print(renderDashboardList(report, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await grafana.close()
    }
  }
}
