/**
 * The exit policies of the backup commands, pure (0 ok · 1 failed · 3 partial; design.md §2):
 * a backup or restore that did not do everything never exits 0, and one that did nothing is a
 * failure, not a partial success.
 */
import {ExitCode, type ExitCodeValue} from '../errors.js'
import type {DashboardBackupResult} from './dashboards.js'
import type {RestoreResult} from './restore.js'
import type {VerifyReport} from './verify.js'

/** backup dashboards: 0 complete, 3 partial (kept as …-partial), 1 failed (nothing saved, or Grafana listed nothing). */
export function backupExitCode(status: DashboardBackupResult['status']): ExitCodeValue {
  return status === 'complete' ? ExitCode.OK : status === 'partial' ? ExitCode.PARTIAL : ExitCode.FAILURE
}

/**
 * restore dashboards: 0 when every dashboard, folder and object was restored (or left unchanged);
 * 1 when there were dashboards and none of them could be; else 3. A dry run exits as the real run
 * would: a conflict it finds counts as a failure.
 */
export function restoreExitCode(result: Pick<RestoreResult, 'dryRun' | 'summary'>): ExitCodeValue {
  const s = result.summary
  const failed = s.failed + (result.dryRun ? s.conflict : 0)
  if (failed === 0 && s.foldersFailed === 0 && s.objectsFailed === 0) return ExitCode.OK
  return s.total > 0 && failed === s.total ? ExitCode.FAILURE : ExitCode.PARTIAL
}

/** backup verify: 1 when any file differs, is missing or is unexpected, else 0. */
export function verifyExitCode(report: Pick<VerifyReport, 'ok'>): ExitCodeValue {
  return report.ok ? ExitCode.OK : ExitCode.FAILURE
}
