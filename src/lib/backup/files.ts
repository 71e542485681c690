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
import {createHash} from 'node:crypto'
import {closeSync, existsSync, openSync, writeSync} from 'node:fs'
import {mkdir, open, readdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {OperationError, UserError} from '../errors.js'
import {isProcessAlive} from './lock.js'
import {classifyEntry, completeBackupName, partialBackupName, resolveInside} from './naming.js'
import {forEachConcurrently} from './pool.js'

import {MODE_DIR, MODE_FILE} from './file-writer.js'

export {MODE_DIR, MODE_FILE, NewFileWriter} from './file-writer.js'

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

/** pieces are gathered into writes of about this many bytes */
const PIECES_WRITE_BYTES = 256 * 1024

/**
 * A new file (O_EXCL, mode 0600) written from text pieces, a batch of about PIECES_WRITE_BYTES at a
 * time, with the size and sha256 of what was written: a large file (the manifest of a big backup)
 * is never whole in memory. Blocking: for the end of a run, when nothing else is under way.
 */
export function writePiecesSync(path: string, pieces: Iterable<string>): {size: number; sha256: string} {
  const hash = createHash('sha256')
  let size = 0
  const fd = openSync(path, 'wx', MODE_FILE)
  try {
    let batch: string[] = []
    let batchLength = 0
    const flush = (): void => {
      const bytes = Buffer.from(batch.join(''))
      batch = []
      batchLength = 0
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done)
      hash.update(bytes)
      size += bytes.length
    }
    for (const piece of pieces) {
      batch.push(piece)
      batchLength += piece.length
      if (batchLength >= PIECES_WRITE_BYTES) flush()
    }
    flush()
  } finally {
    closeSync(fd)
  }
  return {size, sha256: hash.digest('hex')}
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
