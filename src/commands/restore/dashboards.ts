import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {restoreDashboards, type DashboardRestoreOutcome, type RestoreResult} from '../../lib/backup/restore.js'
import {ExitCode, UserError} from '../../lib/errors.js'
import {BACKUP_KINDS, parseOnly} from '../../lib/backup/grafana-objects.js'
import {GrafanaClient} from '../../lib/grafana/client.js'
import {renderTable} from '../../lib/output/table.js'

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

  async run(): Promise<RestoreResult> {
    const cluster = this.cluster
    if (!cluster.grafana) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
    const grafana = new GrafanaClient(cluster.grafana)
    try {
      const result = await restoreDashboards({
        grafana,
        dir: this.args.dir,
        overwrite: this.flags.overwrite,
        dryRun: this.flags['dry-run'],
        only: parseOnly(this.flags.only),
        concurrency: cluster.backup.dashboards?.concurrency ?? 8,
      })
      const s = result.summary
      const failed = s.failed + (result.dryRun ? s.conflict : 0) // a dry run exits as the real run would
      const ok = s.total - failed
      this.setExitCode(failed === 0 && s.foldersFailed === 0 && s.objectsFailed === 0 ? ExitCode.OK : ok === 0 && s.total > 0 ? ExitCode.FAILURE : ExitCode.PARTIAL)
      if (!this.jsonEnabled()) this.render(result)
      return result
    } finally {
      await grafana.close()
    }
  }

  private render(r: RestoreResult): void {
    const s = r.summary
    const shown = r.dashboards.filter((d) => d.action !== 'unchanged')
    if (shown.length > 0) {
      this.print(
        renderTable(
          [
            {header: 'dashboard', value: (d: DashboardRestoreOutcome) => d.title, maxWidth: 40},
            {header: 'uid', value: (d) => d.uid},
            {header: 'action', value: (d) => (d.action === 'failed' || d.action === 'conflict' ? this.style('red', d.action) : d.action)},
            {header: 'detail', value: (d) => d.detail ?? '', maxWidth: 70},
          ],
          shown,
          {tty: this.term.isTTY},
        ),
      )
    }
    for (const f of r.folders.filter((x) => x.action !== 'exists')) this.print(`folder ${f.title} (${f.uid}): ${f.action}${f.detail ? `: ${f.detail}` : ''}`)
    const parts = r.dryRun
      ? [`${s['would-create']} would be created`, `${s['would-update']} would be updated`, `${s.conflict} conflicts`, `${s.unchanged} unchanged`]
      : [`${s.created} created`, `${s.updated} updated`, `${s.unchanged} unchanged`, `${s.failed} failed`]
    this.print(`${r.dryRun ? 'dry run: ' : ''}${s.total} dashboards: ${parts.join(', ')}`)
    for (const o of r.objects.filter((x) => x.action !== 'unchanged')) this.print(`${o.kind} ${o.name} (${o.id}): ${o.action}${o.detail ? `: ${o.detail}` : ''}`)
    for (const x of r.secrets) this.print(`set the secret again: ${x.kind} ${x.name} (${x.uid}): ${x.fields.join(', ')}`)
    if (s.conflict > 0 || r.dashboards.some((d) => d.grafanaStatus === 'version-mismatch')) this.print('next: review the changes, then rerun with --overwrite to replace them')
  }
}
