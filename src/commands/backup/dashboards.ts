import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {DEFAULT_DASHBOARD_CONCURRENCY} from '../../lib/config/resolve.js'
import {parseDuration} from '../../lib/config/units.js'
import {backupDashboards, type BackupProgress, type DashboardBackupResult} from '../../lib/backup/dashboards.js'
import {backupMetrics} from '../../lib/backup/metrics.js'
import {lastCompleteBackupTime} from '../../lib/backup/verify.js'
import {ExitCode, UserError} from '../../lib/errors.js'
import {BACKUP_KINDS, parseOnly} from '../../lib/backup/grafana-objects.js'
import {GrafanaClient} from '../../lib/grafana/client.js'

function describeProgress(p: BackupProgress): string {
  switch (p.phase) {
    case 'checking':
      return 'Checking Grafana health and credentials'
    case 'folders':
      return 'Listing folders'
    case 'dashboards':
      return `Saving dashboards: ${p.saved} saved of ${p.found} found${p.failed ? `, ${p.failed} failed` : ''}`
    case 'verifying':
      return `Verifying ${p.saved} dashboards against the manifest`
    case 'pruning':
      return 'Pruning old backups'
  }
}

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
    deadline: Flags.string({summary: 'the whole run ends by then, e.g. 10m; dashboards not saved by then make the backup partial (default: none)'}),
  }

  async run(): Promise<DashboardBackupResult> {
    const cluster = this.cluster
    if (!cluster.grafana) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
    const settings = cluster.backup.dashboards
    const root = this.flags.dir ?? settings?.dir
    if (!root) throw new UserError('no backup folder: give --dir or set backup.dashboards.dir in the config', {code: 'backup_dir_missing'})
    const grafana = new GrafanaClient(cluster.grafana)
    const runAt = new Date()
    try {
      const options = {
        grafana,
        root,
        concurrency: this.flags.concurrency ?? settings?.concurrency ?? DEFAULT_DASHBOARD_CONCURRENCY,
        keep: this.flags.keep ?? settings?.keep,
        hydraVersion: this.config.version,
        deadlineMs: this.deadlineMs(),
        only: parseOnly(this.flags.only),
      }
      let result: DashboardBackupResult
      if (process.stderr.isTTY && !this.jsonEnabled()) {
        // listr2 only on a terminal, and only loaded here, so cron runs and --help stay light
        const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
        let out: DashboardBackupResult | undefined
        await new Listr(
          [
            {
              title: 'Backing up Grafana dashboards',
              task: async (_ctx, task) => {
                out = await backupDashboards({...options, onProgress: (p) => (task.title = describeProgress(p))})
                task.title = `Backed up ${out.saved} dashboards`
              },
            },
          ],
          // progress belongs on stderr: stdout is for the result
          {rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})}, exitOnError: true},
        ).run()
        result = out!
      } else {
        result = await backupDashboards(options)
      }

      this.setExitCode(result.status === 'complete' ? ExitCode.OK : result.status === 'partial' ? ExitCode.PARTIAL : ExitCode.FAILURE)
      if (this.flags.textfile) {
        const lastSuccess = result.status === 'complete' ? new Date(result.finishedAt) : await lastCompleteBackupTime(root)
        this.textfile(
          this.flags.textfile,
          backupMetrics({lastSuccess, runAt, saved: result.saved, failed: result.failed.length, durationSeconds: result.durationSeconds, complete: result.status === 'complete'}),
        )
      }
      if (!this.jsonEnabled()) this.render(result)
      return result
    } catch (error) {
      // refused credentials, Grafana down, an unwritable folder: the file says so, and keeps the last success
      if (this.flags.textfile) {
        const lastSuccess = await lastCompleteBackupTime(root).catch(() => undefined)
        this.textfile(this.flags.textfile, backupMetrics({lastSuccess, runAt, saved: 0, failed: 0, durationSeconds: (Date.now() - runAt.getTime()) / 1000, complete: false}))
      }
      throw error
    } finally {
      await grafana.close()
    }
  }

  private deadlineMs(): number | undefined {
    const text = this.flags.deadline
    if (text === undefined) return undefined
    const ms = parseDuration(text)
    if (ms === undefined || ms <= 0) throw new UserError(`--deadline ${JSON.stringify(text)} is not a duration`, {hint: 'use e.g. --deadline 10m or --deadline 90s'})
    return ms
  }

  private render(r: DashboardBackupResult): void {
    const version = r.grafana.version ? ` ${r.grafana.version}` : ''
    if (r.status === 'complete') {
      this.print(`${this.style('green', 'complete')}: ${r.saved} dashboards in ${r.folders} folders from Grafana${version}, in ${r.durationSeconds.toFixed(1)}s`)
      this.print(`  ${r.dir}`)
    } else if (r.status === 'partial') {
      this.print(`${this.style('yellow', 'partial')}: ${r.saved} of ${r.searchCount} dashboards saved, ${r.failed.length} failed; kept as ${r.dir}`)
    } else if (r.empty) {
      this.print(`${this.style('red', 'failed')}: Grafana listed no dashboards, so nothing was backed up`)
    } else {
      this.print(`${this.style('red', 'failed')}: no dashboard could be saved (${r.failed.length} failed of ${r.searchCount})`)
    }
    if (r.aborted) this.print(`  stopped early: ${r.aborted}`)
    for (const f of r.failed.slice(0, 20)) this.print(`  ${f.uid} (${f.title}): ${f.error}`)
    if (r.failed.length > 20) this.print(`  … and ${r.failed.length - 20} more (see --json)`)
    if (r.vanished.length) this.print(`  ${r.vanished.length} dashboards were deleted in Grafana during the backup`)
    if (r.pruned.length) this.print(`  pruned ${r.pruned.length} old backups: ${r.pruned.join(', ')}`)
    for (const name of r.recoveredInterrupted) this.print(`  an earlier run was interrupted; its work is kept as ${name}`)
    if (r.status !== 'complete') this.print('next: hydra health --only grafana, then run the backup again; the last complete backup is untouched')
  }
}
