/**
 * Textfile-collector metrics for a backup run (design.md §5), so a nightly cron job can be
 * alerted on: the last success survives failed runs (it is read back from the newest complete
 * backup), so `time() - hydra_backup_dashboards_last_success_timestamp_seconds > 36h` works. Pure.
 */
import type {Metric} from '../output/textfile.js'

export interface BackupMetricsInput {
  /** when the newest complete backup finished (this run's, when it completed) */
  lastSuccess?: Date
  runAt: Date
  saved: number
  failed: number
  durationSeconds: number
  complete: boolean
}

export function backupMetrics(input: BackupMetricsInput): Metric[] {
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000)
  return [
    {
      name: 'hydra_backup_dashboards_last_success_timestamp_seconds',
      help: 'When the newest complete Grafana dashboard backup finished (0: none yet).',
      type: 'gauge',
      samples: [{value: input.lastSuccess ? seconds(input.lastSuccess) : 0}],
    },
    {name: 'hydra_backup_dashboards_last_run_timestamp_seconds', help: 'When hydra backup dashboards last ran.', type: 'gauge', samples: [{value: seconds(input.runAt)}]},
    {name: 'hydra_backup_dashboards_last_run_complete', help: 'Whether the last run saved every dashboard (1) or not (0).', type: 'gauge', samples: [{value: input.complete ? 1 : 0}]},
    {name: 'hydra_backup_dashboards_saved', help: 'Dashboards saved by the last run.', type: 'gauge', samples: [{value: input.saved}]},
    {name: 'hydra_backup_dashboards_failed', help: 'Dashboards the last run could not save.', type: 'gauge', samples: [{value: input.failed}]},
    {name: 'hydra_backup_dashboards_duration_seconds', help: 'How long the last dashboard backup run took.', type: 'gauge', samples: [{value: input.durationSeconds}]},
  ]
}
