import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse, stringify} from 'yaml'

/**
 * A copy of a hydra config (usually the lab's) with changes applied to its YAML document, written
 * to `dir/<name>.yaml`: how tests try a policy, a hostile value or a missing service without
 * touching the config other tests share.
 */
export function variantConfig(base: string, dir: string, name: string, change: (doc: any) => void): string {
  const doc = parse(readFileSync(base, 'utf8'))
  change(doc)
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, stringify(doc))
  return file
}
