import {BUILD} from '../build-info.js'
import {HydraCommand} from '../base-command.js'
import {renderVersion, type VersionReport} from '../lib/output/version-render.js'

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
    this.print(renderVersion(report))
    return report
  }
}
