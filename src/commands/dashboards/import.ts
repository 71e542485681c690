import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {GrafanaClient, requireGrafana} from '../../lib/grafana/client.js'
import {importDashboard, type ImportResult} from '../../lib/grafana/import.js'
import {renderImport} from '../../lib/grafana/render.js'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

export default class DashboardsImport extends HydraCommand<typeof DashboardsImport> {
  static override summary = 'import a dashboard JSON file, stdin (-) or a grafana.com dashboard id, mapped to the config\'s data sources'
  static override description = `The runbook's "Dashboards → New → Import": the dashboard's __inputs data sources are mapped to the Grafana data source that points at the config's Prometheus (or Loki), else the default of that type (--input NAME=VALUE sets one by hand), and it is saved with POST /api/dashboards/import into --folder (found by title or uid, created when missing). A grafana.com id is fetched by Grafana itself (GET /api/gnet/dashboards/ID): the Grafana server needs internet for that. Importing needs the Editor role (dashboards:create); mapping inputs automatically lists data sources (datasources:read, Admin).

${EXIT_CODES_HELP}
  (dashboards import: 1 when Grafana refuses the dashboard, e.g. 412 when it exists and --overwrite is not given)`
  static override examples = [
    '<%= config.bin %> dashboards import node-exporter-full.json --folder Hydra',
    '<%= config.bin %> dashboards import 1860 --dry-run',
    '<%= config.bin %> dashboards generate | <%= config.bin %> dashboards import - --overwrite',
  ]
  static override args = {source: Args.string({description: 'a dashboard JSON file, - for stdin, or a grafana.com dashboard id', required: true})}
  static override flags = {
    folder: Flags.string({summary: 'folder (title or uid) to import into; created when missing'}),
    overwrite: Flags.boolean({summary: 'replace a dashboard with the same uid or title'}),
    'dry-run': Flags.boolean({summary: 'show the input mapping and what would happen; change nothing'}),
    input: Flags.string({summary: 'set an input by hand: NAME=VALUE (e.g. DS_PROMETHEUS=<data source uid>)', multiple: true}),
  }

  async run(): Promise<ImportResult> {
    const grafana = new GrafanaClient(requireGrafana(this.cluster.grafana))
    try {
      const result = await importDashboard({
        grafana,
        config: this.cluster,
        source: this.args.source,
        stdin: this.args.source === '-' ? await readStdin() : undefined,
        folder: this.flags.folder,
        overwrite: this.flags.overwrite,
        dryRun: this.flags['dry-run'],
        inputs: this.flags.input,
      })
      this.print(renderImport(result, {style: this.style}))
      return result
    } finally {
      await grafana.close()
    }
  }
}
