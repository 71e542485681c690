/**
 * One backup run per backup folder: a lock file created with O_EXCL holding the owner's pid. A
 * lock whose pid is dead (a run killed with SIGKILL, a reboot) is stale and taken over.
 */
import {openSync, closeSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'

import {OperationError} from '../errors.js'

export const LOCK_FILE = '.hydra-backup.lock'

export interface BackupLock {
  path: string
  release(): void
}

interface LockContent {
  pid: number
  host?: string
  startedAt?: string
}

/** Is a process with this pid alive (on this machine)? EPERM means it exists but is not ours. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockContent
    return Number.isInteger(parsed.pid) ? parsed : undefined
  } catch {
    return undefined
  }
}

export function acquireBackupLock(dir: string, now = new Date()): BackupLock {
  const path = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      try {
        writeSync(fd, JSON.stringify({pid: process.pid, host: hostname(), startedAt: now.toISOString()}) + '\n')
      } finally {
        closeSync(fd)
      }
      let released = false
      return {
        path,
        release() {
          if (released) return
          released = true
          // only remove a lock that is still ours
          if (readLock(path)?.pid === process.pid) rmSync(path, {force: true})
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = readLock(path)
      const sameHost = holder?.host === undefined || holder.host === hostname()
      if (holder && sameHost && isProcessAlive(holder.pid)) {
        throw new OperationError('backup_locked', `another backup (pid ${holder.pid}, started ${holder.startedAt ?? 'at an unknown time'}) is running in ${dir}`, {
          hint: `wait for it to finish; if no hydra backup is running, remove ${path}`,
        })
      }
      if (holder && !sameHost) {
        throw new OperationError('backup_locked', `a backup on host ${holder.host} (pid ${holder.pid}) holds the lock on ${dir}`, {
          hint: `if no backup is running there, remove ${path}`,
        })
      }
      // an unreadable lock may be one another run created a moment ago and has not written yet
      if (!holder && Date.now() - (statSync(path, {throwIfNoEntry: false})?.mtimeMs ?? 0) < 5000) {
        throw new OperationError('backup_locked', `another backup is starting in ${dir}`, {hint: 'try again in a few seconds'})
      }
      // dead owner (or an unreadable lock left by a crash mid-write long ago): stale, take it over
      rmSync(path, {force: true})
    }
  }
  throw new OperationError('backup_locked', `cannot take the backup lock ${path}`, {hint: `remove ${path} if no backup is running`})
}
