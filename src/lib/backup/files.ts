/**
 * The file side of a dashboard backup: the working folder, one file per object written with one
 * call, the sync that makes the folder durable and the rename that publishes it.
 *
 * Durability, in order: every file is written into `.partial-<stamp>-<pid>`; one syncfs(2) of the
 * backup's filesystem (coreutils `sync -f`) puts every file and every folder entry on disk at once
 * (each file and folder fsync'ed where syncfs is not available); only then is the working folder
 * renamed to its published name, and the folder holding it fsync'ed so the rename survives a
 * power cut.
 */
import {execFile} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {mkdir, open, readdir, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {OperationError, UserError} from '../errors.js'
import {isProcessAlive} from './lock.js'
import {classifyEntry, completeBackupName, partialBackupName, resolveInside} from './naming.js'
import {forEachConcurrently} from './pool.js'

export const MODE_DIR = 0o700
export const MODE_FILE = 0o600

export async function ensureRoot(root: string): Promise<void> {
  try {
    await mkdir(root, {recursive: true, mode: MODE_DIR})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UserError(`cannot create the backup folder ${root} (${code})`, {
      code: 'backup_dir_unusable',
      hint: 'give a writable folder with --dir, or set backup.dashboards.dir in the config',
    })
  }
}

/** Working folders of runs that are no longer alive become `dashboards-<stamp>-interrupted`: visible, never taken for complete. */
export async function recoverInterruptedRuns(root: string): Promise<string[]> {
  const recovered: string[] = []
  for (const name of await readdir(root)) {
    const entry = classifyEntry(name)
    if (entry.kind !== 'temp' || entry.pid === undefined || entry.pid === process.pid || isProcessAlive(entry.pid)) continue
    const target = `dashboards-${entry.stamp}-${entry.pid}-interrupted`
    try {
      await rename(join(root, name), join(root, target))
      recovered.push(target)
    } catch {
      // leave it where it is; it is still never taken for a complete backup
    }
  }
  return recovered
}

/**
 * Most of the recent writes blocking the event loop this long mean a slow (network) filesystem; a
 * local disk answers in 0.02-0.3 ms, and the odd write a busy CPU delays (5-10 ms, 1 in 100 here)
 * does not count.
 */
const SLOW_WRITE_MS = 2
const RECENT_WRITES = 16
const SLOW_OF_RECENT = 12

/**
 * The run's writer of new files (O_CREAT|O_EXCL, mode 0600), remembering the folders it made.
 * A small file is written with one blocking call (open, write, close: some 50 µs on a local disk)
 * rather than three trips through libuv's thread pool, which cost about twice the CPU on this
 * 2-core machine (issue 14 item 8: 1,000 dashboards, 0.1 CPU-s). Once most recent writes block
 * longer than SLOW_WRITE_MS (an NFS backup folder), the rest go through the pool, so the fetches
 * and other writes carry on while the filesystem answers. Not synced here: see syncBackup.
 */
export class NewFileWriter {
  readonly dirs = new Set<string>()
  private slow = false
  /** of the last RECENT_WRITES blocking writes, which were slow */
  private readonly recent: boolean[] = []
  private slowCount = 0

  /** slowWriteMs: what counts as a slow write (tests) */
  constructor(
    root: string,
    private readonly slowWriteMs = SLOW_WRITE_MS,
  ) {
    this.dirs.add(root)
  }

  /** Whether writes (and their read-back checks) may block: no write has been slow so far. */
  get blocking(): boolean {
    return !this.slow
  }

  async write(path: string, data: Buffer | string): Promise<void> {
    const dir = dirname(path)
    // one mkdir per folder, not per dashboard: creating files is what a backup disk is slow at
    if (!this.dirs.has(dir)) {
      await mkdir(dir, {recursive: true, mode: MODE_DIR})
      this.dirs.add(dir)
    }
    if (this.slow) return writeFile(path, data, {flag: 'wx', mode: MODE_FILE})
    const started = performance.now()
    writeFileSync(path, data, {flag: 'wx', mode: MODE_FILE})
    const wasSlow = performance.now() - started > this.slowWriteMs
    this.recent.push(wasSlow)
    if (wasSlow) this.slowCount++
    if (this.recent.length > RECENT_WRITES && this.recent.shift()) this.slowCount--
    if (this.slowCount >= SLOW_OF_RECENT) this.slow = true
  }
}

/** fsync (or fdatasync) one file or folder. */
async function syncPath(path: string, dataOnly: boolean): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await (dataOnly ? handle.datasync() : handle.sync())
  } finally {
    await handle.close()
  }
}

/** fsync a directory, so the entries created or renamed in it survive a power cut. */
export function syncDirectory(dir: string): Promise<void> {
  return syncPath(dir, false)
}

/**
 * Every file and folder entry of the working folder on disk before it is renamed to "complete":
 * after a power cut a complete-looking backup must not hold empty files (ext4 delays allocating
 * new files). One syncfs(2) of the backup's filesystem (coreutils `sync -f`) does it for all
 * files and folders at once (it commits the filesystem's journal, entries included); where that is
 * not available, each file is fdatasync'ed and each folder fsync'ed.
 */
export async function syncBackup(dir: string, files: string[], dirs: Iterable<string>, concurrency: number): Promise<void> {
  // coreutils' own path when it is there: a bare name is looked for along $PATH (a dozen failed
  // execve of node_modules/.bin and the like under npx, measured)
  const sync = ['/usr/bin/sync', '/bin/sync'].find((p) => existsSync(p)) ?? 'sync'
  const synced = await new Promise<boolean>((resolve) => {
    execFile(sync, ['-f', dir], {timeout: 120_000}, (error) => resolve(!error))
  })
  if (synced) return
  await forEachConcurrently(files, concurrency, (rel) => syncPath(resolveInside(dir, rel), true))
  await forEachConcurrently(dirs, concurrency, syncDirectory)
}

/**
 * Rename the finished working folder to a name no other backup has (two runs in one second get
 * `-2`), then fsync the folder holding it so the rename is on disk. `synced`: the working folder's
 * own entries are already on disk (syncBackup); otherwise it is fsync'ed first.
 */
export async function renameToFreeName(root: string, from: string, nameFor: (attempt: number) => string, synced = false): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const name = nameFor(attempt)
    const entries = new Set(await readdir(root))
    if (entries.has(name)) continue
    if (!synced) await syncDirectory(from)
    await rename(from, join(root, name))
    await syncDirectory(root)
    return name
  }
  throw new OperationError('backup_name_taken', `cannot find a free backup name in ${root}`)
}

/** After a fatal error: keep what was saved as `…-partial`, or drop an empty working folder. */
export async function keepOrDropWorkingFolder(root: string, tempDir: string, started: Date, saved: number): Promise<void> {
  try {
    if (!(await readdir(root)).includes(tempDir.slice(root.length).replace(/^[/\\]+/, ''))) return
    if (saved === 0) await rm(tempDir, {recursive: true, force: true})
    else await renameToFreeName(root, tempDir, (n) => partialBackupName(completeBackupName(started, n)))
  } catch {
    // best effort: a leftover working folder is recovered as "interrupted" by the next run
  }
}
