import {Args} from '@oclif/core'

import {HydraCommand} from '../../base-command.js'
import {parseConfigText, readConfigFile} from '../../lib/config/loader.js'
import {resolveConfig} from '../../lib/config/resolve.js'

export default class ConfigValidate extends HydraCommand<typeof ConfigValidate> {
  static override summary = 'check a cluster config file against the schema'
  static override description =
    'Validates FILE (or the config hydra would use) and reports every problem as file:line:col, the key path and what was expected. Exits 2 when the config is invalid.'
  static override examples = ['<%= config.bin %> config validate ./hydra.yaml', '<%= config.bin %> config validate']
  static override args = {file: Args.string({description: 'config file to check (default: the one hydra would use)'})}

  async run() {
    let file: string
    let config
    if (this.args.file) {
      file = this.args.file
      config = resolveConfig(parseConfigText(readConfigFile(file), file))
    } else {
      const loaded = this.config_()
      file = loaded.source.path
      config = loaded.config
    }
    const summary = {
      nodes: config.nodes.length,
      exporters: config.nodes.reduce((n, node) => n + node.exporters.length, 0),
      services: [config.prometheus, config.grafana, config.loki, config.alertmanager].filter(Boolean).length,
      apps: config.apps.length,
    }
    this.print(
      `${this.style('green', 'valid')}: ${file} (${summary.nodes} nodes, ${summary.exporters} exporters, ${summary.services} services, ${summary.apps} apps)`,
    )
    return {valid: true as const, file, ...summary}
  }
}
