/** backup:grafana — the latest dashboard backup is complete, young enough and matches its manifest. */
import type {HydraConfig} from '../../../config/resolve.js'
import {latestCompleteBackup, readBackupManifest, verifyBackup} from '../../../backup/verify.js'
import {counted, formatDuration} from '../../../format.js'
import {HydraError} from '../../../errors.js'
import {formatAge} from '../../../output/time.js'
import type {Check} from '../../model.js'
import {errorText} from '../../outcomes.js'

/** A backup older than this fails when the config gives no backup.dashboards.maxAge: a nightly job plus slack. */
export const DEFAULT_BACKUP_MAX_AGE_MS = 36 * 3600 * 1000

export function dashboardBackupCheck(backup: NonNullable<HydraConfig['backup']['dashboards']>): Check {
  const maxAgeMs = backup.maxAgeMs ?? DEFAULT_BACKUP_MAX_AGE_MS
  return {
    id: 'backup:grafana',
    kind: 'backup',
    group: 'grafana',
    service: 'grafana',
    title: `the latest dashboard backup is younger than ${formatDuration(maxAgeMs)} and verifies`,
    dependsOn: [],
    timeoutMs: 30_000,
    async run() {
      const run = `hydra backup dashboards${backup.dir ? '' : ' --dir DIR'}`
      let dir: string
      try {
        dir = await latestCompleteBackup(backup.dir)
      } catch (error) {
        if (error instanceof HydraError) return {status: 'fail', cause: 'backup_missing', detail: error.message, hint: `make one now: ${run}`}
        throw error
      }
      let finishedAt: Date
      try {
        finishedAt = new Date((await readBackupManifest(dir)).finishedAt)
      } catch (error) {
        return {status: 'fail', cause: 'backup_corrupt', detail: errorText(error), hint: `make a new one: ${run}`}
      }
      const ageMs = Date.now() - finishedAt.getTime()
      if (!(ageMs <= maxAgeMs)) {
        return {
          status: 'fail',
          cause: 'backup_stale',
          detail: `the latest backup ${dir} finished ${formatAge(finishedAt)}, more than the ${formatDuration(maxAgeMs)} allowed (backup.dashboards.maxAge)`,
          evidence: [`${dir}: finishedAt ${finishedAt.toISOString()}`],
          hint: `run: ${run}, and check the cron job that should run it (crontab -l as the user that runs hydra; README: "Running hydra from cron")`,
        }
      }
      const report = await verifyBackup(dir, {concurrency: backup.concurrency})
      if (!report.ok) {
        return {
          status: 'fail',
          cause: 'backup_corrupt',
          detail: `the latest backup ${dir} does not match its manifest (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`,
          evidence: report.problems.slice(0, 10).map((p) => `${p.kind} ${p.path ?? ''}${p.detail ? `: ${p.detail}` : ''}`),
          hint: `see: hydra backup verify ${dir}; make a new one: ${run}`,
        }
      }
      return {status: 'ok', detail: `${dir}: ${counted(report.dashboards, 'dashboard')}, finished ${formatAge(finishedAt)}, verified`}
    },
  }
}
