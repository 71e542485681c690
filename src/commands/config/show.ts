import {stringify} from 'yaml'

import {HydraCommand} from '../../base-command.js'
import {EMBEDDED} from '../../lib/config/loader.js'

export default class ConfigShow extends HydraCommand<typeof ConfigShow> {
  static override summary = 'show the resolved cluster config and where it came from'
  static override description =
    'Prints the config hydra will use, the file it was read from (or the embedded Hydra default), and the assumptions the default makes where the runbook is silent. Secrets appear only as references (tokenEnv, passwordFile), never as values.'
  static override examples = [
    '<%= config.bin %> config show',
    '<%= config.bin %> config show --config ./lab.yaml --json',
  ]

  async run() {
    const {config, source, assumptions} = this.config_()
    const endpoints = [config.prometheus, config.grafana, config.loki, config.alertmanager, ...config.apps]
      .filter((e) => e !== undefined)
      .map((e) => ({id: e.id, url: e.baseUrl, required: e.required, timeoutMs: e.timeoutMs}))
    const result = {source: {kind: source.kind, path: source.path}, config: config.raw, endpoints, assumptions}
    if (!this.jsonEnabled()) {
      this.print(this.style('dim', `# source: ${source.kind === 'default' ? EMBEDDED : `${source.path} (${source.kind})`}`))
      this.print(stringify(config.raw, {lineWidth: 0}).trimEnd())
      if (assumptions.length > 0) {
        this.print('\n# assumptions the embedded default makes (the runbook does not say):')
        for (const a of assumptions) this.print(`#  - ${a}`)
      }
    }
    return result
  }
}
