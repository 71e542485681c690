/**
 * Grafana's folder tree as hydra keeps it in a backup (`folders.json`): each folder with its
 * parent, so nested folders (Grafana 10+) come back in the right place. Pure functions.
 */

export interface FolderEntry {
  uid: string
  title: string
  /** absent for a folder at the root */
  parentUid?: string
}

/** The title path of every folder from the root, e.g. `['Team A', 'GPU']`. A cycle or a missing parent ends the path there. */
export function folderTitlePaths(folders: FolderEntry[]): Map<string, string[]> {
  const byUid = new Map(folders.map((f) => [f.uid, f]))
  const paths = new Map<string, string[]>()
  for (const folder of folders) {
    const path: string[] = []
    const visited = new Set<string>()
    let current: FolderEntry | undefined = folder
    while (current && !visited.has(current.uid)) {
      visited.add(current.uid)
      path.unshift(current.title)
      current = current.parentUid ? byUid.get(current.parentUid) : undefined
    }
    paths.set(folder.uid, path)
  }
  return paths
}

/**
 * Folders in an order that creates every parent before its children (for a restore). A folder
 * whose parent is not in the list is treated as a root; cycles are broken rather than looped on.
 */
export function parentsFirst(folders: FolderEntry[]): FolderEntry[] {
  const byUid = new Map(folders.map((f) => [f.uid, f]))
  const out: FolderEntry[] = []
  const placed = new Set<string>()
  const visiting = new Set<string>()
  const place = (f: FolderEntry): void => {
    if (placed.has(f.uid) || visiting.has(f.uid)) return
    visiting.add(f.uid)
    const parent = f.parentUid ? byUid.get(f.parentUid) : undefined
    if (parent) place(parent)
    visiting.delete(f.uid)
    placed.add(f.uid)
    out.push(f)
  }
  for (const f of folders) place(f)
  return out
}

/** Parse `folders.json` defensively: it is read back from disk and may have been edited. */
export function parseFolderList(value: unknown): FolderEntry[] {
  const list = Array.isArray(value) ? value : (value as {folders?: unknown})?.folders
  if (!Array.isArray(list)) throw new TypeError('expected a list of folders')
  return list.map((item, i) => {
    const f = item as Partial<FolderEntry>
    if (typeof f?.uid !== 'string' || f.uid === '' || typeof f.title !== 'string')
      throw new TypeError(`folder #${i + 1}: expected {uid, title, parentUid?}`)
    return {uid: f.uid, title: f.title, ...(typeof f.parentUid === 'string' && f.parentUid !== '' ? {parentUid: f.parentUid} : {})}
  })
}
