/**
 * The backup commands as one call each (`backup dashboards`, `backup verify`, `restore
 * dashboards`): the config's defaults, the Grafana client's life, the exit policy (policy.ts) and,
 * for a backup, the textfile metrics of the run — failed runs included.
 */
import {DEFAULT_DASHBOARD_CONCURRENCY, type HydraConfig} from '../config/resolve.js'
import {UserError, type ExitCodeValue} from '../errors.js'
import {GrafanaClient} from '../grafana/client.js'
import type {Metric} from '../output/textfile.js'
// the backup, restore and verify code proper is imported when a command runs (runDashboardBackup says why)
import type {BackupProgress, DashboardBackupResult} from './dashboards.js'
import {parseOnly} from './grafana-objects.js'
import {backupMetrics} from './metrics.js'
import {openBackup} from './opening.js'
import {backupExitCode, restoreExitCode, verifyExitCode} from './policy.js'
import type {RestoreResult} from './restore.js'
import type {VerifyReport} from './verify.js'

const lastCompleteBackupTime = async (root: string): Promise<Date | undefined> => (await import('./verify.js')).lastCompleteBackupTime(root)

/** Dashboards fetched, restored or files hashed at once: backup.dashboards.concurrency, else the default. */
export function dashboardConcurrency(cfg: HydraConfig, flag?: number): number {
  return flag ?? cfg.backup.dashboards?.concurrency ?? DEFAULT_DASHBOARD_CONCURRENCY
}

function grafanaOf(cfg: HydraConfig): NonNullable<HydraConfig['grafana']> {
  if (!cfg.grafana) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
  return cfg.grafana
}

export interface BackupRunOptions {
  /** --dir, else backup.dashboards.dir */
  dir?: string
  /** --keep, else backup.dashboards.keep */
  keep?: number
  /** --concurrency, else backup.dashboards.concurrency, else the default */
  concurrency?: number
  /** --only, as typed (comma-separated or repeated kinds) */
  only?: string[]
  deadlineMs?: number
  hydraVersion: string
  onProgress?: (progress: BackupProgress) => void
  /** the run's textfile metrics, on every way out (a run that throws too); given, the last success is read back from disk */
  onMetrics?: (metrics: Metric[]) => void
}

export type BackupRunReport = DashboardBackupResult & {exitCode: ExitCodeValue}

export async function runDashboardBackup(cfg: HydraConfig, options: BackupRunOptions): Promise<BackupRunReport> {
  const endpoint = grafanaOf(cfg)
  const settings = cfg.backup.dashboards
  const root = options.dir ?? settings?.dir
  if (!root) throw new UserError('no backup folder: give --dir or set backup.dashboards.dir in the config', {code: 'backup_dir_missing'})
  const grafana = new GrafanaClient(endpoint)
  const runAt = new Date()
  // closed as soon as the run has asked Grafana its last question, while the files are checked and synced
  let closing: Promise<void> | undefined
  try {
    const only = parseOnly(options.only)
    const concurrency = dashboardConcurrency(cfg, options.concurrency)
    // Grafana's first answers (health, the credential, the folder tree) are awaited while the rest of
    // the backup's code loads: opening.ts
    const opening = openBackup(grafana, {deadlineMs: options.deadlineMs, only, concurrency})
    const {backupDashboards} = await import('./dashboards.js')
    const result = await backupDashboards({
      grafana,
      opening,
      afterLastRequest: () => {
        closing = grafana.close()
        closing.catch(() => undefined) // awaited below
      },
      root,
      concurrency,
      keep: options.keep ?? settings?.keep,
      hydraVersion: options.hydraVersion,
      deadlineMs: options.deadlineMs,
      only,
      ...(options.onProgress ? {onProgress: options.onProgress} : {}),
    })
    if (options.onMetrics) {
      const complete = result.status === 'complete'
      const lastSuccess = complete ? new Date(result.finishedAt) : await lastCompleteBackupTime(root)
      options.onMetrics(backupMetrics({lastSuccess, runAt, saved: result.saved, failed: result.failed.length, durationSeconds: result.durationSeconds, complete}))
    }
    return {...result, exitCode: backupExitCode(result.status)}
  } catch (error) {
    // refused credentials, Grafana down, an unwritable folder: the file says so, and keeps the last success
    if (options.onMetrics) {
      const lastSuccess = await lastCompleteBackupTime(root).catch(() => undefined)
      options.onMetrics(backupMetrics({lastSuccess, runAt, saved: 0, failed: 0, durationSeconds: (Date.now() - runAt.getTime()) / 1000, complete: false}))
    }
    throw error
  } finally {
    await (closing ?? grafana.close())
  }
}

export type VerifyRunReport = VerifyReport & {exitCode: ExitCodeValue}

/** `backup verify`: DIR (a backup, or a folder of backups: its latest complete one), else backup.dashboards.dir. */
export async function runBackupVerify(cfg: HydraConfig, options: {dir?: string}): Promise<VerifyRunReport> {
  const target = options.dir ?? cfg.backup.dashboards?.dir
  if (!target) throw new UserError('no backup to verify: give DIR or set backup.dashboards.dir in the config', {code: 'backup_dir_missing'})
  const {resolveBackupToVerify, verifyBackup} = await import('./verify.js')
  const report = await verifyBackup(await resolveBackupToVerify(target), {concurrency: dashboardConcurrency(cfg)})
  return {...report, exitCode: verifyExitCode(report)}
}

export interface RestoreRunOptions {
  dir: string
  overwrite: boolean
  dryRun: boolean
  /** --only, as typed */
  only?: string[]
}

export type RestoreRunReport = RestoreResult & {exitCode: ExitCodeValue}

export async function runDashboardRestore(cfg: HydraConfig, options: RestoreRunOptions): Promise<RestoreRunReport> {
  const endpoint = grafanaOf(cfg)
  const only = parseOnly(options.only)
  const grafana = new GrafanaClient(endpoint)
  try {
    const {restoreDashboards} = await import('./restore.js')
    const result = await restoreDashboards({grafana, dir: options.dir, overwrite: options.overwrite, dryRun: options.dryRun, only, concurrency: dashboardConcurrency(cfg)})
    return {...result, exitCode: restoreExitCode(result)}
  } finally {
    await grafana.close()
  }
}
