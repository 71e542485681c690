import {Args} from '@oclif/core'

import {HydraCommand} from '../../base-command.js'
import {validateConfig} from '../../lib/config/report.js'
import {renderConfigValidate} from '../../lib/output/config-render.js'

export default class ConfigValidate extends HydraCommand<typeof ConfigValidate> {
  static override summary = 'check a cluster config file against the schema'
  static override description =
    'Validates FILE (or the config hydra would use) and reports every problem as file:line:col, the key path and what was expected. Exits 2 when the config is invalid.'
  static override examples = ['<%= config.bin %> config validate ./hydra.yaml', '<%= config.bin %> config validate']
  static override args = {file: Args.string({description: 'config file to check (default: the one hydra would use)'})}

  async run() {
    const report = validateConfig(this.args.file, () => this.config_())
    this.print(renderConfigValidate(report, {style: this.style}))
    return report
  }
}
