import {HydraCommand} from '../../base-command.js'
import {configShowReport} from '../../lib/config/report.js'
import {renderConfigShow} from '../../lib/output/config-render.js'

export default class ConfigShow extends HydraCommand<typeof ConfigShow> {
  static override summary = 'show the resolved cluster config and where it came from'
  static override description =
    'Prints the config hydra will use, the file it was read from (or the embedded Hydra default), and the assumptions the default makes where the runbook is silent. Secrets appear only as references (tokenEnv, passwordFile), never as values.'
  static override examples = [
    '<%= config.bin %> config show',
    '<%= config.bin %> config show --config ./lab.yaml --json',
  ]

  async run() {
    const report = configShowReport(this.config_())
    this.print(renderConfigShow(report, {style: this.style}))
    return report
  }
}
