import {BUILD} from '../build-info.js'
import {HydraCommand} from '../base-command.js'

export interface VersionReport {
  version: string
  commit: string
  /** the working tree had uncommitted changes when it was built */
  dirty: boolean
  builtAt: string
  node: string
  platform: string
  arch: string
}

export default class Version extends HydraCommand<typeof Version> {
  static override summary = 'show the hydra version, the commit it was built from, Node.js and the platform'
  static override description =
    'The commit is baked in when hydra is built (npm run build), so it names the sources of this install, not of whatever directory you run it in. Paste it into a bug report.'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json', '<%= config.bin %> --version']

  async run(): Promise<VersionReport> {
    const report: VersionReport = {
      version: this.config.version,
      commit: BUILD.commit,
      dirty: BUILD.dirty,
      builtAt: BUILD.builtAt,
      node: process.version,
      platform: process.platform,
      arch: process.arch,
    }
    this.print(
      [
        `hydra ${report.version}`,
        `commit    ${report.commit}${report.dirty ? ' (with uncommitted changes)' : ''}${report.builtAt ? `, built ${report.builtAt}` : ''}`,
        `node      ${report.node}`,
        `platform  ${report.platform}-${report.arch}`,
      ].join('\n'),
    )
    return report
  }
}
