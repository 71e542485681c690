import {Args} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {renderVerify} from '../../lib/backup/render.js'
import {runBackupVerify, type VerifyRunReport} from '../../lib/backup/run.js'

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

  async run(): Promise<VerifyRunReport> {
    const report = await runBackupVerify(this.cluster, {dir: this.args.dir})
    this.print(renderVerify(report, this.style))
    return report
  }
}
