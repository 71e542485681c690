import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {Args, Flags} from '@oclif/core'

import {HydraCommand} from '../../base-command.js'
import {DEFAULT_CONFIG_YAML} from '../../lib/config/default-config.js'
import {UserError} from '../../lib/errors.js'

export default class ConfigInit extends HydraCommand<typeof ConfigInit> {
  static override summary = 'write a commented starting config'
  static override description =
    'Writes the embedded Hydra cluster config, with its comments and assumptions, to PATH (default ./hydra.yaml) for you to edit. Refuses to overwrite an existing file unless --force is given.'
  static override examples = ['<%= config.bin %> config init', '<%= config.bin %> config init ~/.config/hydra/config.yaml --force']
  static override args = {path: Args.string({description: 'where to write the config', default: 'hydra.yaml'})}
  static override flags = {force: Flags.boolean({summary: 'overwrite an existing file'})}

  async run() {
    const path = resolve(this.args.path)
    if (existsSync(path) && !this.flags.force)
      throw new UserError(`${path} already exists`, {code: 'exists', hint: 'pass --force to overwrite it'})
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, DEFAULT_CONFIG_YAML, {mode: 0o644})
    this.print(`wrote ${path}\nnext: edit it, then run: hydra config validate ${path}`)
    return {written: path}
  }
}
