/** `hydra version` for a person. Pure. */

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

export function renderVersion(r: VersionReport): string {
  return [
    `hydra ${r.version}`,
    `commit    ${r.commit}${r.dirty ? ' (with uncommitted changes)' : ''}${r.builtAt ? `, built ${r.builtAt}` : ''}`,
    `node      ${r.node}`,
    `platform  ${r.platform}-${r.arch}`,
  ].join('\n')
}
