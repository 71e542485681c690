/** The backup commands for a person: the progress line's title, and each command's result. Pure. */
import {renderTable} from '../output/table.js'
import type {Styler} from '../output/terminal.js'
import type {BackupProgress, DashboardBackupResult} from './dashboards.js'
import type {DashboardRestoreOutcome, RestoreResult} from './restore.js'
import type {VerifyReport} from './verify.js'
import {counted} from '../format.js'

export function describeBackupProgress(p: BackupProgress): string {
  switch (p.phase) {
    case 'checking':
      return 'Checking Grafana health and credentials'
    case 'folders':
      return 'Listing folders'
    case 'dashboards':
      return `Saving dashboards: ${p.saved} saved of ${p.found} found${p.failed ? `, ${p.failed} failed` : ''}`
    case 'verifying':
      return `Verifying ${counted(p.saved, 'dashboard')} against the manifest`
    case 'pruning':
      return 'Pruning old backups'
  }
}

export function renderBackup(r: DashboardBackupResult, style: Styler): string {
  const out: string[] = []
  const version = r.grafana.version ? ` ${r.grafana.version}` : ''
  if (r.status === 'complete') {
    out.push(`${style('green', 'complete')}: ${counted(r.saved, 'dashboard')} in ${counted(r.folders, 'folder')} from Grafana${version}, in ${r.durationSeconds.toFixed(1)}s`, `  ${r.dir}`)
  } else if (r.status === 'partial') {
    out.push(`${style('yellow', 'partial')}: ${r.saved} of ${counted(r.searchCount, 'dashboard')} saved, ${r.failed.length} failed; kept as ${r.dir}`)
  } else if (r.empty) {
    out.push(`${style('red', 'failed')}: Grafana listed no dashboards, so nothing was backed up`)
  } else {
    out.push(`${style('red', 'failed')}: no dashboard could be saved (${r.failed.length} failed of ${r.searchCount})`)
  }
  if (r.aborted) out.push(`  stopped early: ${r.aborted}`)
  for (const f of r.failed.slice(0, 20)) out.push(`  ${f.uid} (${f.title}): ${f.error}`)
  if (r.failed.length > 20) out.push(`  … and ${r.failed.length - 20} more (see --json)`)
  if (r.vanished.length) out.push(`  ${counted(r.vanished.length, 'dashboard')} ${r.vanished.length === 1 ? 'was' : 'were'} deleted in Grafana during the backup`)
  if (r.pruned.length) out.push(`  pruned ${r.pruned.length} old backups: ${r.pruned.join(', ')}`)
  for (const name of r.recoveredInterrupted) out.push(`  an earlier run was interrupted; its work is kept as ${name}`)
  if (r.status !== 'complete') out.push('next: hydra health --only grafana, then run the backup again; the last complete backup is untouched')
  return out.join('\n')
}

export function renderVerify(report: VerifyReport, style: Styler): string {
  if (report.ok) return `${style('green', 'ok')}: ${report.dir}\n  ${counted(report.dashboards, 'dashboard')} and ${counted(report.folders, 'folder')}; ${counted(report.checked, 'file')} ${report.checked === 1 ? 'matches' : 'match'} the manifest`
  return [`${style('red', 'FAILED')}: ${report.dir} does not match its manifest (${counted(report.problems.length, 'problem')})`, ...report.problems.map((p) => `  ${p.kind}: ${p.detail}`)].join('\n')
}

export function renderRestore(r: RestoreResult, {style, tty}: {style: Styler; tty: boolean}): string {
  const out: string[] = []
  const s = r.summary
  const shown = r.dashboards.filter((d) => d.action !== 'unchanged')
  if (shown.length > 0) {
    out.push(
      renderTable(
        [
          {header: 'dashboard', value: (d: DashboardRestoreOutcome) => d.title, maxWidth: 40},
          {header: 'uid', value: (d) => d.uid},
          {header: 'action', value: (d) => (d.action === 'failed' || d.action === 'conflict' ? style('red', d.action) : d.action)},
          {header: 'detail', value: (d) => d.detail ?? '', maxWidth: 70},
        ],
        shown,
        {tty},
      ),
    )
  }
  for (const f of r.folders.filter((x) => x.action !== 'exists')) out.push(`folder ${f.title} (${f.uid}): ${f.action}${f.detail ? `: ${f.detail}` : ''}`)
  const parts = r.dryRun
    ? [`${s['would-create']} would be created`, `${s['would-update']} would be updated`, `${s.conflict} conflicts`, `${s.unchanged} unchanged`]
    : [`${s.created} created`, `${s.updated} updated`, `${s.unchanged} unchanged`, `${s.failed} failed`]
  out.push(`${r.dryRun ? 'dry run: ' : ''}${counted(s.total, 'dashboard')}: ${parts.join(', ')}`)
  for (const o of r.objects.filter((x) => x.action !== 'unchanged')) out.push(`${o.kind} ${o.name} (${o.id}): ${o.action}${o.detail ? `: ${o.detail}` : ''}`)
  for (const x of r.secrets) out.push(`set the secret again: ${x.kind} ${x.name} (${x.uid}): ${x.fields.join(', ')}`)
  if (s.conflict > 0 || r.dashboards.some((d) => d.grafanaStatus === 'version-mismatch')) out.push('next: review the changes, then rerun with --overwrite to replace them')
  return out.join('\n')
}
