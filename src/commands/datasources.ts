import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {GrafanaClient, requireGrafana} from '../lib/grafana/client.js'
import {checkDatasources, type DatasourcesReport} from '../lib/grafana/datasources.js'
import {renderDatasources} from '../lib/grafana/render.js'

export default class Datasources extends HydraCommand<typeof Datasources> {
  static override summary = "list Grafana's data sources, their health, and whether they point at the config's Prometheus and Loki"
  static override description = `One row per data source (GET /api/datasources): name, uid, type, URL, default, its health from Grafana's own check (GET /api/datasources/uid/UID/health, Grafana 9+; older Grafana is said to have none) and, for Prometheus and Loki data sources, whether the URL points at the config's Prometheus or Loki (host resolved to its address, port and path compared; localhost means Grafana's own machine). A data source aimed at an old address is the runbook's "Grafana Dashboard Empty". Secrets (secureJsonData) are never read or printed. Listing data sources needs the Admin role (datasources:read).

${EXIT_CODES_HELP}
  (datasources: 1 when one is unhealthy or points elsewhere)`
  static override examples = ['<%= config.bin %> datasources', '<%= config.bin %> datasources --json']

  async run(): Promise<DatasourcesReport> {
    const cluster = this.cluster
    const grafana = new GrafanaClient(requireGrafana(cluster.grafana))
    try {
      const report = await checkDatasources({grafana, config: cluster})
      this.print(renderDatasources(report, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await grafana.close()
    }
  }
}
