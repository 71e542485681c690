import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {durationFlag} from '../../flags.js'
import {DEFAULT_DASHBOARD_CONCURRENCY} from '../../lib/config/resolve.js'
import {BACKUP_KINDS} from '../../lib/backup/grafana-objects.js'
import {describeBackupProgress, renderBackup} from '../../lib/backup/render.js'
import {runDashboardBackup, type BackupRunReport} from '../../lib/backup/run.js'
import {startProgress} from '../../lib/output/progress.js'
import {counted} from '../../lib/format.js'

export default class BackupDashboards extends HydraCommand<typeof BackupDashboards> {
  static override summary = 'back up every Grafana dashboard, with its folder, into a dated folder with a manifest'
  static override description = `Lists every dashboard (/api/search?type=dash-db, every page), the folder tree (/api/folders, nested folders included) and fetches each dashboard (/api/dashboards/uid/UID) a few at a time into one file per dashboard, under a new dashboards-YYYYMMDDTHHMMSSZ folder with folders.json and manifest.json (sha256 and size of every file). Grafana's health and the credential are checked first. The folder appears only once the backup is complete and reads back as its manifest says; a run that misses dashboards keeps its work as ...-partial and prunes nothing. Folders are created 0700, files 0600. Replaces the runbook's "Backup Grafana Dashboards" loop.

${EXIT_CODES_HELP}
  (backup: 3 when some dashboards could not be saved, 1 when none could, 4 when Grafana refuses the credential)`
  static override examples = [
    '<%= config.bin %> backup dashboards',
    '<%= config.bin %> backup dashboards --dir /mnt/user/backups/grafana --keep 30',
    '<%= config.bin %> backup dashboards --json --textfile /var/lib/prometheus/node-exporter/hydra_backup.prom',
  ]
  static override flags = {
    dir: Flags.string({summary: 'folder holding the backups (default: backup.dashboards.dir)'}),
    keep: Flags.integer({summary: 'after a complete backup, keep only the newest N complete backups (default: backup.dashboards.keep)', min: 1}),
    concurrency: Flags.integer({summary: `dashboards fetched at once (default: backup.dashboards.concurrency, ${DEFAULT_DASHBOARD_CONCURRENCY})`, min: 1, max: 64}),
    textfile: Flags.string({summary: 'also write Prometheus metrics for the textfile collector to this path (atomically)'}),
    only: Flags.string({summary: `back up only these kinds (comma-separated or repeated): ${BACKUP_KINDS.join(', ')}; default: all (data sources and alerting need the Admin role)`, multiple: true}),
    deadline: durationFlag({summary: 'the whole run ends by then, e.g. 10m; dashboards not saved by then make the backup partial (default: none)'}),
  }

  async run(): Promise<BackupRunReport> {
    // progress only on a terminal (listr2 is loaded only then), so cron runs and --json stay light
    const progress = await startProgress(['Backing up Grafana dashboards'], {enabled: Boolean(process.stderr.isTTY) && !this.jsonEnabled()})
    try {
      const report = await runDashboardBackup(this.cluster, {
        dir: this.flags.dir,
        keep: this.flags.keep,
        concurrency: this.flags.concurrency,
        only: this.flags.only,
        deadlineMs: this.flags.deadline,
        hydraVersion: this.config.version,
        // none without a terminal: nothing is drawn, so no line is worked out per dashboard
        onProgress: progress ? (p) => progress.line(0).title(describeBackupProgress(p)) : undefined,
        onMetrics: this.flags.textfile ? (metrics) => this.textfile(this.flags.textfile, metrics) : undefined,
      })
      progress?.line(0).done(`Backed up ${counted(report.saved, 'dashboard')}`)
      await progress?.close()
      this.print(renderBackup(report, this.style))
      return report
    } catch (error) {
      progress?.line(0).fail(error instanceof Error ? error.message : String(error))
      throw error
    } finally {
      await progress?.close()
    }
  }
}
