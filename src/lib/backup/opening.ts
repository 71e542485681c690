/**
 * The first requests of a backup: Grafana's health, one authenticated call (with dashboards to back
 * up, the search's first page itself) and the folder tree, all at once, under the run's --deadline.
 *
 * Kept apart from the rest of the backup (dashboards.ts and the modules behind it: files, manifest,
 * verify, the writer...) so that `backup dashboards` can start these before that code loads, and
 * load it while Grafana answers (run.ts): the first answers take a round trip and more, and the
 * loading some 17 ms of this 2-core machine's CPU (measured). Nothing is written before the checks
 * have passed (dashboards.ts awaits them first).
 */
import {OperationError} from '../errors.js'
import type {DashboardHit, GrafanaClient, GrafanaHealth} from '../grafana/client.js'
import type {FolderEntry} from '../grafana/folders.js'
import {GRAFANA_SEARCH_MAX_LIMIT} from '../grafana/paging.js'
import {safeUrl} from '../secrets.js'
import type {BackupKind} from './grafana-objects.js'

export interface BackupOpening {
  /** the whole run's bound (--deadline): every wait races it, every dashboard fetch is aborted by it */
  deadline?: AbortSignal
  /** the --deadline as given (e.g. `10m`), for messages; '' without one */
  deadlineText: string
  /** `p`, rejected with a clear error once the deadline has passed */
  bounded<T>(p: Promise<T>): Promise<T>
  /** dashboards are to be backed up (--only) */
  withDashboards: boolean
  /** the dashboard search, its first page asked for already (see `checks`) */
  search?: AsyncGenerator<DashboardHit>
  /** the whole folder tree */
  foldersRead: Promise<FolderEntry[]>
  /** health, and the first authenticated answer (the search's first page, else an access check), settled */
  checks: Promise<[PromiseSettledResult<GrafanaHealth>, PromiseSettledResult<unknown>]>
}

export interface BackupOpeningOptions {
  deadlineMs?: number
  only?: Set<BackupKind>
  /** search page size; Grafana caps it at 5000 */
  pageSize?: number
  /** folder listings at once */
  concurrency: number
}

/** Start a backup's first requests (none of them writes anything). */
export function openBackup(grafana: GrafanaClient, options: BackupOpeningOptions): BackupOpening {
  const deadline = options.deadlineMs === undefined ? undefined : AbortSignal.timeout(options.deadlineMs)
  const deadlineText = options.deadlineMs === undefined ? '' : `${(options.deadlineMs / 1000).toFixed(options.deadlineMs % 1000 === 0 ? 0 : 1)}s`
  const deadlineError = () =>
    new OperationError('deadline', `the --deadline of ${deadlineText} passed before the backup could start`, {
      hint: `Grafana at ${safeUrl(grafana.baseUrl)} answers too slowly: hydra health --only grafana; or give the backup more time with --deadline`,
    })
  const bounded = <T>(p: Promise<T>): Promise<T> => {
    if (!deadline) return p
    if (deadline.aborted) return Promise.reject(deadlineError())
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(deadlineError())
      deadline.addEventListener('abort', onAbort, {once: true})
      p.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort))
    })
  }
  const withDashboards = !options.only || options.only.has('dashboards')
  const search = withDashboards ? grafana.searchDashboards(options.pageSize ?? GRAFANA_SEARCH_MAX_LIMIT, deadline ? {signal: deadline} : {}) : undefined
  const foldersRead = bounded(grafana.listFolders(undefined, options.concurrency))
  foldersRead.catch(() => undefined) // awaited by the backup, after the lock
  const checks = Promise.allSettled([bounded(grafana.health()), bounded<unknown>(search ? search.next() : grafana.checkAccess())]) as BackupOpening['checks']
  return {...(deadline ? {deadline} : {}), deadlineText, bounded, withDashboards, ...(search ? {search} : {}), foldersRead, checks}
}
