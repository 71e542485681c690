/** The lab's hydra config, resolved without touching the network or the disk (pure). */
import {parse} from 'yaml'

import {ConfigSchema} from '../../src/lib/config/schema.js'
import {resolveConfig, type HydraConfig} from '../../src/lib/config/resolve.js'
import {labConfigPaths, labConfigYaml} from '../lab/lab-config.js'

export function labConfig(change: (doc: any) => void = () => {}): HydraConfig {
  const doc = parse(labConfigYaml(labConfigPaths('/nonexistent/hydra-lab')))
  change(doc)
  return resolveConfig(ConfigSchema.parse(doc))
}
