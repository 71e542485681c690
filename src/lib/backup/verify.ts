/**
 * `hydra backup verify`: re-hash every file of a backup against its manifest, check the counts,
 * and name every file that differs. Also finds the latest complete backup in a backup folder.
 */
import {createHash} from 'node:crypto'
import {closeSync, lstatSync, openSync, opendirSync, readSync, type Stats} from 'node:fs'
import {lstat, open, readdir, readFile, stat} from 'node:fs/promises'
import {join, resolve, sep} from 'node:path'

import {OperationError, UserError} from '../errors.js'
import {compareWithManifest, countProblems, parseManifest, type BackupManifest, type ManifestFile, type ObservedFile, type VerifyProblem} from './manifest.js'
import {classifyEntry, DASHBOARDS_DIR, MANIFEST_FILE, resolveInside, sortCompleteOldestFirst} from './naming.js'
import {forEachConcurrently} from './pool.js'

export interface VerifyReport {
  dir: string
  ok: boolean
  /** files hashed */
  checked: number
  dashboards: number
  folders: number
  searchCount: number
  grafanaVersion?: string
  startedAt?: string
  problems: VerifyProblem[]
}

/** Below this a file is read whole (one read): a dashboard is a few KB */
const WHOLE_READ_BYTES = 8 * 1024 * 1024
/** A larger file (a manifest of many thousand dashboards) is hashed through one buffer of this size, reused */
const READ_CHUNK_BYTES = 256 * 1024

export async function sha256File(path: string, knownSize?: number): Promise<ObservedFile> {
  if (knownSize !== undefined && knownSize >= 0 && knownSize < WHOLE_READ_BYTES) {
    const data = await readFile(path)
    return {size: data.length, sha256: createHash('sha256').update(data).digest('hex')}
  }
  const hash = createHash('sha256')
  let size = 0
  const handle = await open(path, 'r')
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES)
    for (;;) {
      const {bytesRead} = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      hash.update(chunk.subarray(0, bytesRead))
      size += bytesRead
    }
  } finally {
    await handle.close()
  }
  return {size, sha256: hash.digest('hex')}
}

/**
 * sha256File with blocking reads, through one buffer of READ_CHUNK_BYTES: for the run's check of its
 * own manifest.json, when nothing else is waiting on the thread (a few ms of pool round trips saved).
 */
export function sha256FileSync(path: string): ObservedFile {
  const hash = createHash('sha256')
  let size = 0
  const fd = openSync(path, 'r')
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES)
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; size += n) hash.update(chunk.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  return {size, sha256: hash.digest('hex')}
}

/** The newest complete backup under `root` (a dated folder with a manifest), or a UserError saying there is none. */
export async function latestCompleteBackup(root: string): Promise<string> {
  let names: string[]
  try {
    names = await readdir(root)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UserError(`cannot read the backup folder ${root} (${code})`, {
      code: 'backup_dir_unreadable',
      hint: 'give the backup folder with --dir, or set backup.dashboards.dir in the config',
    })
  }
  const complete = sortCompleteOldestFirst(names).reverse()
  for (const entry of complete) {
    const manifest = join(root, entry.name, MANIFEST_FILE)
    if ((await stat(manifest).catch(() => undefined))?.isFile()) return join(root, entry.name)
  }
  throw new UserError(`no complete backup in ${root}`, {code: 'backup_none', hint: 'run: hydra backup dashboards'})
}

/**
 * resolveInside for many paths of one backup: each folder is resolved (and checked) once; a file
 * name that is one plain component (no separator, not `.` or `..`, no NUL) is joined to it, which
 * cannot leave it. Anything else goes through resolveInside whole.
 */
export function insideResolver(dir: string): (path: string) => string {
  const folders = new Map<string, string>()
  return (path) => {
    const slash = path.lastIndexOf('/')
    const name = path.slice(slash + 1)
    if (slash <= 0 || name === '' || name === '.' || name === '..' || name.includes('\\') || name.includes('\0')) return resolveInside(dir, path)
    const folder = path.slice(0, slash)
    let full = folders.get(folder)
    if (full === undefined) {
      try {
        full = resolveInside(dir, folder)
      } catch {
        return resolveInside(dir, path) // a folder part such as `a/..` (the backup itself): the whole path decides
      }
      folders.set(folder, full)
    }
    return join(full, name)
  }
}

export async function readBackupManifest(dir: string): Promise<BackupManifest> {
  let text: string
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const kind = classifyEntry(resolve(dir).split(sep).pop() ?? '').kind
    throw new OperationError('backup_manifest_missing', `${join(dir, MANIFEST_FILE)} cannot be read (${code})`, {
      hint:
        kind === 'partial' || kind === 'temp'
          ? 'this folder is the kept work of a backup that did not finish; it has no manifest to check'
          : 'give a folder written by hydra backup dashboards (dashboards-YYYYMMDDTHHMMSSZ)',
    })
  }
  try {
    return parseManifest(text)
  } catch (error) {
    throw new OperationError('backup_manifest_invalid', `${join(dir, MANIFEST_FILE)}: ${(error as Error).message}`)
  }
}

export async function verifyBackup(dir: string, options: {concurrency?: number} = {}): Promise<VerifyReport> {
  const manifest = await readBackupManifest(dir)
  const observed = new Map<string, ObservedFile | undefined>()
  const expected = [manifest.folders, ...manifest.dashboards, ...(manifest.objects ?? [])]
  const unsafe: VerifyProblem[] = []
  await forEachConcurrently(expected, options.concurrency ?? 8, async (file) => {
    let full: string
    try {
      full = resolveInside(dir, file.path)
    } catch {
      unsafe.push({kind: 'unexpected', path: file.path, detail: `the manifest names ${JSON.stringify(file.path)}, outside the backup`})
      observed.set(file.path, {size: -1, sha256: ''})
      return
    }
    observed.set(file.path, await sha256File(full, file.size).catch(() => undefined))
  })
  // what is on disk under dashboards/ and not in the manifest (each file it names is checked above)
  const onDisk = unlistedDashboardFiles(dir, new Set(expected.map((f) => f.path)))
  return verifyReport(dir, manifest, expected.length, [...unsafe, ...compareWithManifest(manifest, observed, onDisk)])
}

function verifyReport(dir: string, manifest: BackupManifest, checked: number, problems: VerifyProblem[]): VerifyReport {
  return {
    dir,
    ok: problems.length === 0,
    checked,
    dashboards: manifest.dashboards.length,
    folders: manifest.folders.count,
    searchCount: manifest.searchCount,
    grafanaVersion: manifest.grafana.version,
    startedAt: manifest.startedAt,
    problems,
  }
}

/** An lstat that blocks the main thread longer than this is slow (a network filesystem); a local disk answers in some 20 µs */
const SLOW_LSTAT_MS = 2
/** after this many slow ones, the rest go through the thread pool */
const SLOW_LSTATS = 8

/**
 * The check a run makes of its own work before publishing it: manifest.json reads back exactly as
 * written (its sha256 and size), every file it names is there as a regular file of its size,
 * nothing else is under dashboards/, and the counts add up. The sha256 of each file was taken of
 * the very bytes written (never re-serialised); reading the files back right after writing them
 * would come from the page cache, not the disk, and check nothing the sizes do not. `hydra backup
 * verify` re-hashes every file (run after a reboot, it reads what is on the disk).
 *
 * Memory: nothing here grows with the backup beyond one set of the dashboards' paths. The manifest
 * is the object the run built (not its text read back and parsed again), manifest.json is hashed as
 * it is read, each file is checked as its lstat comes back, and dashboards/ is listed a few entries
 * at a time. At 20,000 dashboards the old way (text read back, parsed, a map of every file, the
 * whole tree listed at once) took peak RSS from 129 to 165 MiB in this last step alone.
 *
 * blocking: true, every lstat blocks (one at a time, no thread pool); false, every lstat goes
 * through the pool; by default they block until SLOW_LSTATS of them were slow, then the rest go
 * through the pool. slowMs: what counts as slow (tests).
 */
export async function verifyWritten(
  dir: string,
  manifest: BackupManifest,
  manifestFile: ObservedFile,
  options: {concurrency?: number; blocking?: boolean; slowMs?: number} = {},
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = []
  let read: ObservedFile | undefined
  try {
    read = sha256FileSync(join(dir, MANIFEST_FILE))
  } catch {
    read = undefined
  }
  if (read?.sha256 !== manifestFile.sha256 || read.size !== manifestFile.size)
    problems.push({kind: read === undefined ? 'missing' : 'sha256', path: MANIFEST_FILE, detail: `${MANIFEST_FILE} does not read back as written`})
  const expected = [manifest.folders, ...manifest.dashboards, ...(manifest.objects ?? [])]
  const check = (file: ManifestFile, st: Stats | undefined): void => {
    if (!st?.isFile()) problems.push({kind: 'missing', path: file.path, detail: `${file.path} is missing`})
    else if (st.size !== file.size) problems.push({kind: 'size', path: file.path, detail: `${file.path} is ${st.size} bytes; the manifest says ${file.size}`})
  }
  const lstatOrUndefined = (path: string): Stats | undefined => {
    try {
      return lstatSync(path)
    } catch {
      return undefined
    }
  }
  // while the disk answers at once, an lstat each is cheaper than a trip through the thread pool
  // (1,000 files: ~20 ms against 60-150 ms); a network filesystem's slow answers go through the pool
  const slowMs = options.slowMs ?? SLOW_LSTAT_MS
  const inside = insideResolver(dir)
  let slow = options.blocking === false ? SLOW_LSTATS : 0
  let next = 0
  for (; next < expected.length && (options.blocking === true || slow < SLOW_LSTATS); next++) {
    const started = performance.now()
    check(expected[next]!, lstatOrUndefined(inside(expected[next]!.path)))
    if (performance.now() - started > slowMs) slow++
  }
  await forEachConcurrently(expected.slice(next), options.concurrency ?? 8, async (file) => check(file, await lstat(inside(file.path)).catch(() => undefined)))
  const named = new Set(manifest.dashboards.map((d) => d.path))
  for (const path of unlistedDashboardFiles(dir, named)) problems.push({kind: 'unexpected', path, detail: `${path} is not in the manifest`})
  problems.push(...countProblems(manifest))
  return verifyReport(dir, manifest, expected.length, problems)
}

/**
 * Files under dashboards/ (relative, with `/`) that `named` does not hold, the folders read a few
 * entries at a time. Blocking reads (getdents, 256 entries a call): nothing else waits on the thread
 * while a backup is checked, and a thread-pool trip per batch cost 10-15 ms at 1,000 dashboards.
 */
function unlistedDashboardFiles(dir: string, named: Set<string>): string[] {
  const unlisted: string[] = []
  const walk = (full: string, rel: string): void => {
    let entries
    try {
      entries = opendirSync(full, {bufferSize: 256})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && rel === DASHBOARDS_DIR) return
      throw error
    }
    try {
      for (let e; (e = entries.readSync()) !== null; ) {
        const path = `${rel}/${e.name}`
        if (e.isDirectory()) walk(join(full, e.name), path)
        else if (!named.has(path)) unlisted.push(path)
      }
    } finally {
      entries.closeSync()
    }
  }
  walk(join(dir, DASHBOARDS_DIR), DASHBOARDS_DIR)
  return unlisted
}

/** A backup folder itself (it has a manifest), or the latest complete backup inside a folder of backups. */
export async function resolveBackupToVerify(path: string): Promise<string> {
  if ((await stat(join(path, MANIFEST_FILE)).catch(() => undefined))?.isFile()) return path
  const kind = classifyEntry(resolve(path).split(sep).pop() ?? '').kind
  if (kind !== 'other') return path // a backup folder without a manifest: verify reports that
  return latestCompleteBackup(path)
}

/** When the newest complete backup under `root` finished (for the last-success metric), if there is one. */
export async function lastCompleteBackupTime(root: string): Promise<Date | undefined> {
  try {
    const dir = await latestCompleteBackup(root)
    const manifest = await readBackupManifest(dir)
    const t = new Date(manifest.finishedAt)
    return Number.isNaN(t.getTime()) ? undefined : t
  } catch {
    return undefined
  }
}
