import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {UserError} from '../lib/errors.js'
import {GrafanaClient} from '../lib/grafana/client.js'
import {checkDatasources, type DatasourceRow, type DatasourcesReport} from '../lib/grafana/datasources.js'
import {renderTable} from '../lib/output/table.js'

export default class Datasources extends HydraCommand<typeof Datasources> {
  static override summary = "list Grafana's data sources, their health, and whether they point at the config's Prometheus and Loki"
  static override description = `One row per data source (GET /api/datasources): name, uid, type, URL, default, its health from Grafana's own check (GET /api/datasources/uid/UID/health, Grafana 9+; older Grafana is said to have none) and, for Prometheus and Loki data sources, whether the URL points at the config's Prometheus or Loki (host resolved to its address, port and path compared; localhost means Grafana's own machine). A data source aimed at an old address is the runbook's "Grafana Dashboard Empty". Secrets (secureJsonData) are never read or printed. Listing data sources needs the Admin role (datasources:read).

${EXIT_CODES_HELP}
  (datasources: 1 when one is unhealthy or points elsewhere)`
  static override examples = ['<%= config.bin %> datasources', '<%= config.bin %> datasources --json']

  async run(): Promise<DatasourcesReport> {
    const cluster = this.cluster
    if (!cluster.grafana) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
    const grafana = new GrafanaClient(cluster.grafana)
    try {
      const report = await checkDatasources({grafana, config: cluster})
      this.setExitCode(report.exitCode)
      if (!this.jsonEnabled()) this.render(report)
      return report
    } finally {
      await grafana.close()
    }
  }

  private render(r: DatasourcesReport): void {
    const health = (d: DatasourceRow) => (d.health.status === 'ok' ? this.style('green', 'ok') : d.health.status === 'error' ? this.style('red', 'error') : 'unknown')
    const target = (d: DatasourceRow) =>
      !d.target ? '-' : d.target.verdict === 'same' ? `config's ${d.target.service}` : d.target.verdict === 'elsewhere' ? this.style('red', 'elsewhere') : 'unknown'
    this.print(
      renderTable(
        [
          {header: 'name', value: (d: DatasourceRow) => d.name, maxWidth: 30},
          {header: 'uid', value: (d) => d.uid},
          {header: 'type', value: (d) => d.type},
          {header: 'url', value: (d) => d.url, maxWidth: 40},
          {header: 'default', value: (d) => (d.isDefault ? 'yes' : '')},
          {header: 'health', value: health},
          {header: 'target', value: target},
        ],
        r.datasources,
        {tty: this.term.isTTY},
      ),
    )
    if (!r.healthSupported) this.print(`note: Grafana ${r.grafana.version} has no data-source health check (it came in 9.0); health is unknown`)
    for (const d of r.datasources) for (const p of d.problems) this.print(`${d.name} (${d.uid}): ${p}`)
    for (const d of r.datasources.filter((x) => x.health.status === 'unknown' && r.healthSupported)) this.print(`${d.name}: health unknown: ${d.health.message}`)
    this.print(`\n${r.datasources.length} data sources, ${r.problems} with problems`)
    if (r.problems > 0) this.print('next: fix the URL in Grafana (Connections > Data sources), then hydra dashboards check')
  }
}
