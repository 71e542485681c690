/**
 * `hydra backup dashboards`: every Grafana dashboard, with its folder tree, into one dated backup
 * folder with a manifest (api-facts.md §9 lists what the runbook's loop got wrong).
 *
 * Safety, in order: health and credentials are checked before anything is written; a lock stops
 * two runs on one folder; the run writes into `.partial-<stamp>-<pid>` and renames it to
 * `dashboards-<stamp>` only once it is complete and re-verified against its manifest; a run that
 * could not fetch everything keeps its work as `…-partial` and never prunes. Memory stays flat:
 * search pages are consumed as they arrive and each dashboard goes straight to its own file, so
 * only a small manifest entry per dashboard is kept.
 */
import {createHash} from 'node:crypto'
import {mkdir, readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {AuthError, HydraError, OperationError, UserError} from '../errors.js'
import {DashboardNotFoundError, type DashboardHit, type GrafanaClient, type GrafanaHealth} from '../grafana/client.js'
import {folderTitlePaths, type FolderEntry} from '../grafana/folders.js'
import {safeUrl} from '../secrets.js'
import {acquireBackupLock} from './lock.js'
import {ensureRoot, keepOrDropWorkingFolder, MODE_DIR, NewFileWriter, recoverInterruptedRuns, renameToFreeName, syncBackup, writePiecesSync} from './files.js'
import {buildManifest, manifestJson, type BackupManifest, type ManifestDashboard, type ManifestProblemItem} from './manifest.js'
import {completeBackupName, dashboardFileName, dashboardFolderRelativePath, FOLDERS_FILE, MANIFEST_FILE, partialBackupName, resolveInside, tempBackupName} from './naming.js'
import {forEachConcurrently} from './pool.js'
import {selectBackupsToPrune} from './prune.js'
import {verifyWritten} from './verify.js'
import {backupObjects} from './grafana-objects-backup.js'
import type {BackupKind} from './grafana-objects.js'
import {collectGarbage, FULL_GC_EVERY} from './memory.js'
import {openBackup, type BackupOpening} from './opening.js'
import {compareCodePoints} from '../order.js'
import {counted} from '../format.js'

export type BackupPhase = 'checking' | 'folders' | 'dashboards' | 'verifying' | 'pruning'

export interface BackupProgress {
  phase: BackupPhase
  /** dashboards saved so far */
  saved: number
  failed: number
  /** dashboards the search has reported so far */
  found: number
}

export interface DashboardBackupOptions {
  grafana: GrafanaClient
  /** the folder holding every backup (backup.dashboards.dir or --dir) */
  root: string
  concurrency: number
  /** prune the oldest complete backups beyond this many (after a complete run only) */
  keep?: number
  hydraVersion: string
  /** search page size; Grafana caps it at 5000 */
  pageSize?: number
  onProgress?: (progress: BackupProgress) => void
  now?: () => Date
  /** the whole run ends by then (--deadline): dashboards not saved by then are not tried, the run is partial */
  deadlineMs?: number
  /** what to back up (--only); default: every kind (dashboards, data sources, library panels, alerting) */
  only?: Set<BackupKind>
  /**
   * Called once every request to Grafana has been answered, before the files are checked and synced:
   * the owner of the client can close its connections meanwhile (10-12 ms at the end of a run, measured).
   */
  afterLastRequest?: () => void
  /** the first requests, started already (run.ts: openBackup, with the same options); else started here */
  opening?: BackupOpening
}

export interface DashboardBackupResult {
  status: 'complete' | 'partial' | 'failed'
  /** the backup folder written (complete or partial); absent when nothing was saved */
  dir?: string
  grafana: {url: string; version?: string}
  searchCount: number
  saved: number
  failed: ManifestProblemItem[]
  vanished: {uid: string; title: string}[]
  /** a failure that stopped the run before every dashboard was tried (search paging failed, the deadline passed) */
  aborted?: string
  /** Grafana listed no dashboard at all: nothing was backed up (a token that sees nothing is not a success) */
  empty?: boolean
  folders: number
  startedAt: string
  finishedAt: string
  durationSeconds: number
  pruned: string[]
  /** earlier runs' working folders, left by a killed run, renamed to `…-interrupted` */
  recoveredInterrupted: string[]
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

function errorSummary(error: unknown): string {
  if (error instanceof HydraError) return error.message
  return error instanceof Error ? error.message : String(error)
}

/** The first settled promise (in the order given) that was rejected: its reason is thrown. */
function firstRejection(results: PromiseSettledResult<unknown>[]): void {
  for (const r of results) if (r.status === 'rejected') throw r.reason
}

/** The items of an iterator whose first result was already asked for (so its request ran beside others). */
async function* resume<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  for (let r = first; !r.done; r = await rest.next()) yield r.value
}

export async function backupDashboards(options: DashboardBackupOptions): Promise<DashboardBackupResult> {
  const now = options.now ?? (() => new Date())
  const {grafana, root} = options
  const progress: BackupProgress = {phase: 'checking', saved: 0, failed: 0, found: 0}
  const report = (phase?: BackupPhase): void => {
    if (phase) progress.phase = phase
    options.onProgress?.({...progress})
  }
  if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 1))
    throw new UserError(`--keep ${options.keep}: expected a whole number of at least 1`)

  // Health, one authenticated call and the folder tree, at once (reads only: nothing is written
  // before health and the credential are known good): opening.ts, started by run.ts before this
  // module loaded, or here.
  report('checking')
  const opening = options.opening ?? openBackup(grafana, options)
  const {deadline, deadlineText, bounded, withDashboards, search, foldersRead} = opening
  const [healthRead, accessRead] = await opening.checks
  firstRejection([healthRead, accessRead])
  const health = (healthRead as PromiseFulfilledResult<GrafanaHealth>).value

  await ensureRoot(root)
  const lock = acquireBackupLock(root)
  const started = now()
  const tempDir = join(root, tempBackupName(started, process.pid))
  const dashboards: ManifestDashboard[] = []
  const failed: ManifestProblemItem[] = []
  const vanished: {uid: string; title: string}[] = []
  let searchCount = 0
  let folderCount = 0
  let aborted: string | undefined
  let fatal: unknown
  let closeWriter: (() => Promise<void>) | undefined
  try {
    const recoveredInterrupted = await recoverInterruptedRuns(root)
    await mkdir(tempDir, {mode: MODE_DIR})

    // dashboards are fetched while the folder tree is still being listed; each waits for it before it is written
    let foldersError: {error: unknown} | undefined
    const pathsReady = foldersRead.then(folderTitlePaths, (error: unknown) => {
      foldersError = {error}
      throw error
    })
    pathsReady.catch(() => undefined)

    report('dashboards')
    const writer = new NewFileWriter(tempDir)
    closeWriter = () => writer.close()
    const pathFor = (paths: Map<string, string[]>, folderUid: string | undefined, folderTitle: string | undefined): string[] => {
      if (!folderUid) return []
      // a folder the tree did not list (no permission to list it): still one folder level, by title
      return paths.get(folderUid) ?? [`${folderTitle || 'folder'} (${folderUid})`]
    }
    // each folder's directory (relative, and resolved inside the working folder) worked out once,
    // not per dashboard: sanitising titles and resolving paths cost some 20 µs a dashboard
    const folderDirs = new Map<string, {rel: string; full: string}>()
    const folderDir = (paths: Map<string, string[]>, folderUid: string | undefined, folderTitle: string | undefined): {rel: string; full: string} => {
      const key = folderUid === undefined ? '' : `${folderUid}\0${folderTitle ?? ''}`
      let dir = folderDirs.get(key)
      if (!dir) {
        const rel = dashboardFolderRelativePath(pathFor(paths, folderUid, folderTitle))
        dir = {rel, full: resolveInside(tempDir, rel)}
        folderDirs.set(key, dir)
      }
      return dir
    }
    const pastDeadline = new Error('deadline')
    const saveOne = async (hit: DashboardHit): Promise<void> => {
      searchCount++
      progress.found = searchCount
      if (deadline?.aborted) throw pastDeadline
      try {
        const {raw, doc} = await bounded(grafana.getDashboard(hit.uid, {signal: deadline}))
        const paths = await pathsReady
        const metaFolderUid = typeof doc.meta.folderUid === 'string' && doc.meta.folderUid !== '' ? doc.meta.folderUid : undefined
        const folderUid = metaFolderUid ?? hit.folderUid
        const folderTitle = typeof doc.meta.folderTitle === 'string' ? doc.meta.folderTitle : hit.folderTitle
        const dir = folderDir(paths, folderUid, folderTitle)
        // one sanitised path component (no `/`, no `..`, no leading dot): it stays inside dir.full
        const fileName = dashboardFileName(hit.uid)
        const relPath = `${dir.rel}/${fileName}`
        await writer.write(join(dir.full, fileName), raw)
        const title = typeof doc.dashboard.title === 'string' ? doc.dashboard.title : hit.title
        dashboards.push({path: relPath, sha256: sha256(raw), size: raw.length, uid: hit.uid, title, ...(folderUid ? {folderUid} : {})})
        progress.saved++
        // memory stays near the live size however many dashboards there are (memory.ts says why)
        if (progress.saved % FULL_GC_EVERY === 0) collectGarbage()
      } catch (error) {
        if (error instanceof AuthError) throw error // the credential stopped working: every other fetch would fail too
        if (foldersError) throw foldersError.error // the folder tree could not be listed: fatal, as it is below
        if (deadline?.aborted) {
          failed.push({uid: hit.uid, title: hit.title, error: `not fetched within the --deadline of ${deadlineText}`})
          progress.failed++
          throw pastDeadline
        }
        if (error instanceof DashboardNotFoundError) {
          vanished.push({uid: hit.uid, title: hit.title})
        } else {
          failed.push({uid: hit.uid, title: hit.title, error: errorSummary(error)})
          progress.failed++
        }
      }
      report()
    }
    // data sources, library panels, alerting: one file each under grafana/ (grafana-objects.ts), read
    // while the dashboards are, under the same --deadline (a kind it cuts short makes the run partial)
    const extraPromise = backupObjects(grafana, options.only, (rel, text) => writer.write(resolveInside(tempDir, rel), text), sha256, {
      ...(deadline ? {signal: deadline} : {}),
      deadlineText,
    })
    extraPromise.catch(() => undefined) // awaited below; a fatal error of the dashboards phase must not leave it unobserved
    try {
      if (search) await forEachConcurrently(resume((accessRead as PromiseFulfilledResult<IteratorResult<DashboardHit>>).value, search), options.concurrency, saveOne)
    } catch (error) {
      if (error instanceof AuthError) throw error
      if (foldersError) throw foldersError.error
      if (error === pastDeadline || deadline?.aborted) {
        searchCount = Math.max(searchCount, dashboards.length + failed.length + vanished.length)
        aborted = `the --deadline of ${deadlineText} passed: ${counted(dashboards.length, 'dashboard')} saved, the rest not fetched (Grafana answers slowly: hydra health --only grafana)`
      } else aborted = `listing dashboards failed: ${errorSummary(error)}`
    }
    // A search that lists nothing is not a backup: most often the token sees no dashboard at all.
    const empty = withDashboards && !aborted && searchCount === 0
    if (empty)
      aborted = `Grafana listed no dashboards: nothing to back up. If Grafana has dashboards, the credential cannot see them: give its service account the Viewer role (or folder permissions)`

    // the folder tree (a listing that failed is fatal here when no dashboard waited for it)
    const folders = await foldersRead
    folderCount = folders.length
    const sortedFolders: FolderEntry[] = [...folders].sort((a, b) => compareCodePoints(a.uid, b.uid))
    const foldersJson = JSON.stringify(sortedFolders, null, 2) + '\n'
    await writer.write(resolveInside(tempDir, FOLDERS_FILE), foldersJson)
    const foldersEntry = {path: FOLDERS_FILE, sha256: sha256(foldersJson), size: Buffer.byteLength(foldersJson), count: folders.length}

    const extra = await extraPromise
    failed.push(...extra.failed)
    // nothing more is asked of Grafana
    options.afterLastRequest?.()

    const manifest: BackupManifest = buildManifest({
      kinds: extra.kinds,
      objects: extra.objects,
      hydraVersion: options.hydraVersion,
      grafanaUrl: safeUrl(grafana.baseUrl),
      grafanaVersion: health.version,
      startedAt: started,
      finishedAt: now(),
      searchCount,
      dashboards,
      vanished,
      failed,
      aborted,
      folders: foldersEntry,
    })
    // written piece by piece, never whole in memory (at 20,000 dashboards the text is some 6 MB);
    // every other write is done by now
    const manifestFile = writePiecesSync(resolveInside(tempDir, MANIFEST_FILE), manifestJson(manifest))

    const finished = new Date(manifest.finishedAt)
    const base = {
      grafana: manifest.grafana,
      searchCount,
      saved: dashboards.length,
      failed,
      vanished,
      ...(aborted ? {aborted} : {}),
      ...(empty ? {empty} : {}),
      folders: folderCount,
      startedAt: manifest.startedAt,
      finishedAt: manifest.finishedAt,
      durationSeconds: (finished.getTime() - started.getTime()) / 1000,
      recoveredInterrupted,
    }

    if (!manifest.complete || empty) {
      if (dashboards.length === 0) {
        await rm(tempDir, {recursive: true, force: true})
        return {...base, status: 'failed', pruned: []}
      }
      const name = await renameToFreeName(root, tempDir, (n) => partialBackupName(completeBackupName(started, n)))
      return {...base, status: 'partial', dir: join(root, name), pruned: []}
    }

    // Nothing is published until the folder holds exactly what the manifest says (verifyWritten).
    report('verifying')
    const check = await verifyWritten(tempDir, manifest, manifestFile, {concurrency: options.concurrency})
    if (!check.ok) {
      const name = await renameToFreeName(root, tempDir, (n) => partialBackupName(completeBackupName(started, n)))
      throw new OperationError('backup_verify_failed', `the backup did not read back as written: ${check.problems[0]?.detail}`, {
        hint: `the disk under ${root} may be failing or full; the work is kept in ${join(root, name)}`,
        details: {problems: check.problems.slice(0, 20)},
      })
    }
    // every file, then every folder's entries, on disk before the rename that publishes them
    const files = [FOLDERS_FILE, MANIFEST_FILE, ...dashboards.map((d) => d.path), ...(manifest.objects ?? []).map((o) => o.path)]
    await syncBackup(tempDir, files, writer.dirs, options.concurrency)
    const name = await renameToFreeName(root, tempDir, (n) => completeBackupName(started, n), true)

    let pruned: string[] = []
    if (options.keep !== undefined) {
      report('pruning')
      const selection = selectBackupsToPrune(await readdir(root), options.keep, [name])
      for (const old of selection.remove) await rm(resolveInside(root, old), {recursive: true, force: true})
      pruned = selection.remove
    }
    return {...base, status: 'complete', dir: join(root, name), pruned}
  } catch (error) {
    fatal = error
    throw error
  } finally {
    await closeWriter?.()
    if (fatal !== undefined) await keepOrDropWorkingFolder(root, tempDir, started, dashboards.length)
    lock.release()
  }
}
