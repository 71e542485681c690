import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {UserError} from '../../lib/errors.js'
import {GrafanaClient} from '../../lib/grafana/client.js'
import {importDashboard, type ImportResult} from '../../lib/grafana/import.js'

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
    const g = this.cluster.grafana
    if (!g) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
    const grafana = new GrafanaClient(g)
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
      this.setExitCode(result.exitCode)
      if (!this.jsonEnabled()) this.render(result)
      return result
    } finally {
      await grafana.close()
    }
  }

  private render(r: ImportResult): void {
    for (const i of r.inputs) this.print(`input ${i.name} = ${i.value} (${i.via})`)
    const where = r.folder ? ` into folder ${r.folder.title}${r.folder.created ? (r.dryRun ? ' (would be created)' : ' (created)') : ''}` : ''
    if (r.action === 'imported') this.print(`${this.style('green', 'imported')} ${r.title} (${r.uid})${where}${r.url ? `: ${r.url}` : ''}`)
    else if (r.action === 'refused') this.print(`${this.style('red', 'refused')} ${r.title}: ${r.detail}`)
    else this.print(`dry run: ${r.title} would be ${r.action === 'would-overwrite' ? 'saved over the existing one' : 'imported'}${where}${r.detail ? `; ${r.detail}` : ''}`)
    if (r.action === 'imported') this.print(`next: hydra dashboards check ${r.uid}`)
  }
}
