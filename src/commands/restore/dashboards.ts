import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {BACKUP_KINDS} from '../../lib/backup/grafana-objects.js'
import {renderRestore} from '../../lib/backup/render.js'
import {runDashboardRestore, type RestoreRunReport} from '../../lib/backup/run.js'

export default class RestoreDashboards extends HydraCommand<typeof RestoreDashboards> {
  static override summary = 'import a dashboard backup back into Grafana'
  static override description = `Verifies DIR against its manifest first, then re-creates missing folders (POST /api/folders, parents first) and imports each dashboard (POST /api/dashboards/db, id null, into its folder). Each dashboard is compared with the live one, ignoring id and version: unchanged ones are left alone. Without --overwrite a dashboard changed in Grafana since the backup is refused (412 version-mismatch); --dry-run shows what would be created, updated or left unchanged without changing anything.

${EXIT_CODES_HELP}
  (restore: 3 when some dashboards failed, 1 when the backup does not verify or every dashboard failed)`
  static override examples = [
    '<%= config.bin %> restore dashboards /mnt/user/backups/grafana/dashboards-20260102T030405Z --dry-run',
    '<%= config.bin %> restore dashboards /mnt/user/backups/grafana/dashboards-20260102T030405Z',
    '<%= config.bin %> restore dashboards /mnt/user/backups/grafana/dashboards-20260102T030405Z --overwrite --json',
  ]
  static override args = {
    dir: Args.string({description: 'the backup folder to restore (dashboards-YYYYMMDDTHHMMSSZ)', required: true}),
  }
  static override flags = {
    only: Flags.string({summary: `restore only these kinds (comma-separated or repeated): ${BACKUP_KINDS.join(', ')}; default: all the backup holds`, multiple: true}),
    overwrite: Flags.boolean({summary: 'replace dashboards that changed in Grafana since the backup'}),
    'dry-run': Flags.boolean({summary: 'show what would be created, updated or left unchanged; change nothing; exit as the real run would (a conflict counts as a failure)'}),
  }

  async run(): Promise<RestoreRunReport> {
    const report = await runDashboardRestore(this.cluster, {dir: this.args.dir, overwrite: this.flags.overwrite, dryRun: this.flags['dry-run'], only: this.flags.only})
    this.print(renderRestore(report, {style: this.style, tty: this.term.isTTY}))
    return report
  }
}
