/** Textfile-collector metrics of a doctor run. */
import {OperationError} from '../errors.js'
import {writeTextfile, type Metric} from '../output/textfile.js'
import type {DoctorReport} from './run.js'

/**
 * The metrics of a run. hydra_check_up is 1 for ok and warn, 0 for fail; skipped
 * checks are left out (their cause is the failed check they depend on, which is already 0, and a
 * series that vanishes is what `absent()` alerting expects). Pure.
 */
export function doctorMetrics(report: DoctorReport, runAt: Date = new Date(report.startedAt)): Metric[] {
  return [
    {
      name: 'hydra_check_up',
      help: 'Whether a hydra doctor check passed (1: ok or warn) or failed (0). Skipped checks are omitted.',
      type: 'gauge',
      samples: report.checks
        .filter((c) => c.status !== 'skipped')
        .map((c) => ({labels: {check: c.id, node: c.node ?? '', service: c.service ?? ''}, value: c.status === 'fail' ? 0 : 1})),
    },
    {
      name: 'hydra_check_silenced',
      help: 'A failed hydra doctor check whose alerts an active Alertmanager silence mutes (1); only such checks are listed.',
      type: 'gauge',
      samples: report.checks.filter((c) => c.status === 'fail' && c.silenced?.length).map((c) => ({labels: {check: c.id, node: c.node ?? '', service: c.service ?? ''}, value: 1})),
    },
    {name: 'hydra_doctor_last_run_timestamp_seconds', help: 'When hydra doctor last ran.', type: 'gauge', samples: [{value: Math.floor(runAt.getTime() / 1000)}]},
    {name: 'hydra_doctor_duration_seconds', help: 'How long the last hydra doctor run took.', type: 'gauge', samples: [{value: report.durationMs / 1000}]},
    {name: 'hydra_doctor_problems', help: 'Checks that failed in the last hydra doctor run.', type: 'gauge', samples: [{value: report.summary.fail}]},
    {
      name: 'hydra_doctor_checks',
      help: 'Checks of the last hydra doctor run, by status.',
      type: 'gauge',
      samples: (['ok', 'warn', 'fail', 'skipped'] as const).map((status) => ({labels: {status}, value: report.summary[status]})),
    },
  ]
}

/** --textfile: the run's metrics, written atomically; a path hydra cannot write is an operation error. */
export function writeDoctorTextfile(path: string, report: DoctorReport): void {
  try {
    writeTextfile(path, doctorMetrics(report))
  } catch (error) {
    throw new OperationError('textfile_write', `cannot write ${path}: ${(error as Error).message}`, {hint: 'the directory must exist and be writable by the user running hydra'})
  }
}
