import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {UserError} from '../../lib/errors.js'
import {GrafanaClient} from '../../lib/grafana/client.js'
import {addCommand, listDashboards, type DashboardListReport, type ListedDashboard} from '../../lib/grafana/expected.js'
import {renderTable} from '../../lib/output/table.js'

export default class DashboardsList extends HydraCommand<typeof DashboardsList> {
  static override summary = 'list Grafana dashboards: the expected ones present or missing, then the rest'
  static override description = `The config's expected dashboards (services.grafana.expectedDashboards; the embedded default has the runbook's four: Node Exporter Full 1860, NVIDIA DCGM 12239, Docker Containers 893 and Hydra AI Control Plane), each present or missing, matched by uid, grafana.com id (the gnetId an import keeps) or title; then every other dashboard with its folder.

${EXIT_CODES_HELP}
  (dashboards list: 1 when an expected dashboard is missing)`
  static override examples = ['<%= config.bin %> dashboards list', '<%= config.bin %> dashboards list --json']

  async run(): Promise<DashboardListReport> {
    const g = this.cluster.grafana
    if (!g) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
    const grafana = new GrafanaClient(g)
    try {
      const report = await listDashboards(grafana, g.expectedDashboards)
      this.setExitCode(report.exitCode)
      if (!this.jsonEnabled()) this.render(report)
      return report
    } finally {
      await grafana.close()
    }
  }

  private render(r: DashboardListReport): void {
    if (r.expected.length > 0) {
      this.print('expected:')
      for (const e of r.expected) {
        const id = e.gnetId ? ` (grafana.com ${e.gnetId})` : e.uid ? ` (uid ${e.uid})` : ''
        this.print(`  ${e.present ? this.style('green', 'present') : this.style('red', 'missing')}  ${e.title}${id}${e.match ? ` → ${e.match.title} (${e.match.uid})` : ''}`)
      }
    }
    const rest = r.dashboards.filter((d) => !d.expected)
    if (rest.length > 0) {
      this.print(r.expected.length > 0 ? '\nothers:' : '')
      this.print(renderTable([{header: 'title', value: (d: ListedDashboard) => d.title, maxWidth: 50}, {header: 'uid', value: (d) => d.uid}, {header: 'folder', value: (d) => d.folderTitle ?? 'General'}], rest, {tty: this.term.isTTY}))
    }
    this.print(`\n${r.dashboards.length} dashboards; ${r.expected.length - r.missing} of ${r.expected.length} expected present`)
    const missing = r.expected.filter((e) => !e.present)
    if (missing.length > 0)
      this.print(`next: ${missing.map((m) => addCommand(m)).join('; ')}`)
  }
}
