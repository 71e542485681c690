import {Args} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {resolveBackupToVerify, verifyBackup, type VerifyReport} from '../../lib/backup/verify.js'
import {ExitCode, UserError} from '../../lib/errors.js'

export default class BackupVerify extends HydraCommand<typeof BackupVerify> {
  static override summary = 'check a dashboard backup against its manifest'
  static override description = `Re-hashes every file of a backup (sha256 and size) against its manifest.json, looks for files the manifest does not name, and checks the dashboard count against what Grafana's search reported. DIR is a backup folder, or a folder of backups (then the latest complete one); the default is the latest complete backup under backup.dashboards.dir.

${EXIT_CODES_HELP}
  (verify: 1 when any file differs, is missing or is unexpected; each one is named)`
  static override examples = [
    '<%= config.bin %> backup verify',
    '<%= config.bin %> backup verify /mnt/user/backups/grafana/dashboards-20260102T030405Z',
    '<%= config.bin %> backup verify /mnt/user/backups/grafana --json',
  ]
  static override args = {
    dir: Args.string({description: 'a backup folder, or a folder of backups (default: backup.dashboards.dir)'}),
  }

  async run(): Promise<VerifyReport> {
    const target = this.args.dir ?? this.cluster.backup.dashboards?.dir
    if (!target) throw new UserError('no backup to verify: give DIR or set backup.dashboards.dir in the config', {code: 'backup_dir_missing'})
    const dir = await resolveBackupToVerify(target)
    const report = await verifyBackup(dir, {concurrency: this.cluster.backup.dashboards?.concurrency ?? 8})
    this.setExitCode(report.ok ? ExitCode.OK : ExitCode.FAILURE)
    if (!this.jsonEnabled()) {
      if (report.ok) {
        this.print(`${this.style('green', 'ok')}: ${report.dir}`)
        this.print(`  ${report.dashboards} dashboards and ${report.folders} folders; ${report.checked} files match the manifest`)
      } else {
        this.print(`${this.style('red', 'FAILED')}: ${report.dir} does not match its manifest (${report.problems.length} problems)`)
        for (const p of report.problems) this.print(`  ${p.kind}: ${p.detail}`)
      }
    }
    return report
  }
}
