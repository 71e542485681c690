/**
 * `hydra restore dashboards DIR`: put a verified backup back into Grafana. Missing folders are
 * created parents first; each dashboard is compared with the live one (ignoring id and version)
 * and created, updated (with --overwrite, or when Grafana accepts it) or left alone. Grafana's
 * refusals (412 version-mismatch / name-exists, 400 …) are reported per dashboard.
 */
import {readFile, stat} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'

import {AuthError, HydraError, OperationError, UserError} from '../errors.js'
import type {DashboardDocument, GrafanaClient} from '../grafana/client.js'
import {sameDashboard} from '../grafana/compare.js'
import {parentsFirst, parseFolderList, type FolderEntry} from '../grafana/folders.js'
import {FOLDERS_FILE, MANIFEST_FILE, resolveInside} from './naming.js'
import {forEachConcurrently} from './pool.js'
import type {BackupKind, ObjectKind} from './grafana-objects.js'
import {restoreObjects, type ObjectRestoreOutcome, type SecretToSet} from './grafana-objects-restore.js'
import {latestCompleteBackup, readBackupManifest, verifyBackup} from './verify.js'

export type DashboardRestoreAction = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update' | 'conflict' | 'failed'

export interface DashboardRestoreOutcome {
  uid: string
  title: string
  folderUid?: string
  action: DashboardRestoreAction
  /** why it failed, or what a conflict is about */
  detail?: string
  /** Grafana's status for a refusal, e.g. version-mismatch, name-exists */
  grafanaStatus?: string
  /** another dashboard (another uid) with the same title in the folder, which Grafana refuses (412 name-exists) or --overwrite replaces */
  nameClash?: {uid: string; title: string}
  httpStatus?: number
}

export interface FolderRestoreOutcome {
  uid: string
  title: string
  parentUid?: string
  action: 'created' | 'exists' | 'would-create' | 'failed'
  detail?: string
}

export interface RestoreResult {
  dir: string
  dryRun: boolean
  overwrite: boolean
  folders: FolderRestoreOutcome[]
  dashboards: DashboardRestoreOutcome[]
  /** data sources, library panels, alerting: what happened to each */
  objects: ObjectRestoreOutcome[]
  /** restored without their secret: set these again */
  secrets: SecretToSet[]
  summary: Record<DashboardRestoreAction, number> & {total: number; foldersCreated: number; foldersFailed: number; objectsFailed: number}
}

export interface RestoreOptions {
  grafana: GrafanaClient
  dir: string
  overwrite: boolean
  dryRun: boolean
  concurrency: number
  onProgress?: (done: number, total: number) => void
  /** what to restore (--only); default: every kind the backup holds */
  only?: Set<BackupKind>
}

function folderOf(doc: DashboardDocument): string | undefined {
  return typeof doc.meta?.folderUid === 'string' && doc.meta.folderUid !== '' ? doc.meta.folderUid : undefined
}

export async function restoreDashboards(options: RestoreOptions): Promise<RestoreResult> {
  const {grafana} = options
  const dir = resolve(options.dir)
  if (!(await stat(join(dir, MANIFEST_FILE)).catch(() => undefined))) {
    // a folder of backups rather than one backup: name the latest, but never pick it silently
    const latest = await latestCompleteBackup(dir).catch(() => undefined)
    throw new UserError(`${dir} is not a backup (it has no ${MANIFEST_FILE})`, {
      code: 'backup_not_a_backup',
      hint: latest ? `to restore the latest complete backup: hydra restore dashboards ${latest}` : 'give a folder written by hydra backup dashboards',
    })
  }
  const check = await verifyBackup(dir, {concurrency: options.concurrency})
  if (!check.ok) {
    throw new OperationError('backup_invalid', `${dir} does not match its manifest: ${check.problems.map((p) => p.detail).slice(0, 3).join('; ')}`, {
      hint: `see every difference with: hydra backup verify ${dir}`,
      details: {problems: check.problems.slice(0, 50)},
    })
  }
  const manifest = await readBackupManifest(dir)
  const label = basename(dir)

  await grafana.health()
  await grafana.checkAccess()

  // Folders, parents first, so that a nested folder's parent exists when it is created.
  const backupFolders = parseFolderList(JSON.parse(await readFile(resolveInside(dir, FOLDERS_FILE), 'utf8')))
  const live = new Set((await grafana.listFolders(undefined, options.concurrency)).map((f) => f.uid))
  const folders: FolderRestoreOutcome[] = []
  for (const folder of parentsFirst(backupFolders)) {
    const base: FolderEntry = {uid: folder.uid, title: folder.title, ...(folder.parentUid ? {parentUid: folder.parentUid} : {})}
    if (live.has(folder.uid)) folders.push({...base, action: 'exists'})
    else if (options.dryRun) folders.push({...base, action: 'would-create'})
    else {
      const r = await grafana.createFolder(folder)
      folders.push(r.ok ? {...base, action: 'created'} : {...base, action: 'failed', detail: `HTTP ${r.status}: ${r.message}`})
      if (r.ok) live.add(folder.uid)
    }
  }

  // Grafana refuses a second dashboard with the same title in one folder (412 name-exists), and
  // with overwrite it replaces that other dashboard: index the live titles to say so beforehand.
  const nameKey = (folderUid: string | undefined, title: string) => `${folderUid ?? ''}\u0000${title.trim().toLowerCase()}`
  const liveByName = new Map<string, {uid: string; title: string}>()
  for await (const hit of grafana.searchDashboards()) liveByName.set(nameKey(hit.folderUid, hit.title), {uid: hit.uid, title: hit.title})

  // data sources and library panels before the dashboards that use them; alerting after
  const held = new Set((manifest.objects ?? []).map((o) => o.kind))
  const pick = (kinds: ObjectKind[]) => kinds.filter((k) => held.has(k) && (!options.only || options.only.has(k)))
  const objectOptions = {grafana, dir, dryRun: options.dryRun, overwrite: options.overwrite}
  const before = await restoreObjects({...objectOptions, kinds: pick(['datasources', 'library-panels'])})

  const dashboards: DashboardRestoreOutcome[] = []
  let done = 0
  const entries = !options.only || options.only.has('dashboards') ? manifest.dashboards : []
  await forEachConcurrently(entries, options.concurrency, async (entry) => {
    const outcome: DashboardRestoreOutcome = {uid: entry.uid, title: entry.title, ...(entry.folderUid ? {folderUid: entry.folderUid} : {}), action: 'failed'}
    try {
      const doc = JSON.parse(await readFile(resolveInside(dir, entry.path), 'utf8')) as DashboardDocument
      const dashboard = doc.dashboard
      const folderUid = folderOf(doc)
      const current = await grafana.findDashboard(entry.uid)
      const backupVersion = dashboard.version
      const title = typeof dashboard.title === 'string' ? dashboard.title : entry.title
      const other = liveByName.get(nameKey(folderUid, title))
      const clash = other && other.uid !== entry.uid ? other : undefined
      if (clash) outcome.nameClash = clash
      const clashWords = clash ? `a different dashboard "${clash.title}" (uid ${clash.uid}) has the same title in the folder` : ''
      if (current && !clash && sameDashboard({dashboard: current.dashboard, folderUid: folderOf(current)}, {dashboard, folderUid})) {
        outcome.action = 'unchanged'
      } else if (options.dryRun) {
        if (clash && !options.overwrite) {
          outcome.action = 'conflict'
          outcome.grafanaStatus = 'name-exists'
          outcome.detail = `${clashWords}: Grafana would refuse it (412 name-exists); --overwrite replaces that other dashboard`
        } else if (clash) {
          outcome.action = current ? 'would-update' : 'would-create'
          outcome.detail = `replaces ${clashWords.replace(/^a /, 'the ')}`
        } else if (!current) outcome.action = 'would-create'
        else if (!options.overwrite && current.dashboard.version !== backupVersion) {
          outcome.action = 'conflict'
          outcome.detail = `changed in Grafana since the backup (live version ${String(current.dashboard.version)}, backup ${String(backupVersion)}): --overwrite replaces it`
        } else outcome.action = 'would-update'
      } else {
        const saved = await grafana.saveDashboard({
          // id: null, as Grafana's import wants: ids are per instance, the uid is what matters
          dashboard: {...dashboard, id: null},
          folderUid,
          overwrite: options.overwrite,
          message: `restored by hydra from ${label}`,
        })
        if (saved.ok) {
          outcome.action = current ? 'updated' : 'created'
          if (clash) outcome.detail = `replaced ${clashWords.replace(/^a /, 'the ').replace(/ has /, ' that had ')}`
        } else {
          outcome.action = 'failed'
          outcome.httpStatus = saved.status
          if (saved.grafanaStatus) outcome.grafanaStatus = saved.grafanaStatus
          outcome.detail = `HTTP ${saved.status}${saved.grafanaStatus ? ` ${saved.grafanaStatus}` : ''}: ${saved.message}${
            saved.status === 412 && !options.overwrite ? (clash ? ` (${clashWords}; --overwrite replaces that other dashboard)` : ' (--overwrite replaces it)') : ''
          }`
        }
      }
    } catch (error) {
      if (error instanceof AuthError) throw error
      outcome.action = 'failed'
      outcome.detail = error instanceof HydraError || error instanceof Error ? error.message : String(error)
    }
    dashboards.push(outcome)
    options.onProgress?.(++done, entries.length)
  })
  dashboards.sort((a, b) => (a.title === b.title ? (a.uid < b.uid ? -1 : 1) : a.title < b.title ? -1 : 1))
  const after = await restoreObjects({...objectOptions, kinds: pick(['alert-rules', 'contact-points', 'policies'])})
  const objects: ObjectRestoreOutcome[] = [...before.objects, ...after.objects]
  const secrets: SecretToSet[] = [...before.secrets, ...after.secrets]

  const count = (a: DashboardRestoreAction) => dashboards.filter((d) => d.action === a).length
  return {
    dir: join(dir),
    dryRun: options.dryRun,
    overwrite: options.overwrite,
    folders,
    dashboards,
    objects,
    secrets,
    summary: {
      objectsFailed: objects.filter((o) => o.action === 'failed').length,
      total: dashboards.length,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      'would-create': count('would-create'),
      'would-update': count('would-update'),
      conflict: count('conflict'),
      failed: count('failed'),
      foldersCreated: folders.filter((f) => f.action === 'created').length,
      foldersFailed: folders.filter((f) => f.action === 'failed').length,
    },
  }
}
