/**
 * What a rebuilt Grafana needs besides dashboards and folders (api-facts.md §12): data sources,
 * library panels and Grafana-managed alerting (alert rules, contact points, the notification
 * policy tree, through the provisioning API). Each kind is one JSON file under `grafana/` in the
 * backup, listed in the manifest with its sha256, so verify covers it.
 *
 * Stored without what belongs to one Grafana instance (numeric ids, versions, timestamps,
 * provenance), so a backup → restore → backup round trip gives the same files. Secrets never:
 * Grafana does not return a data source's `secureJsonData` (only the names, `secureJsonFields`)
 * and redacts contact-point secrets (`[REDACTED]`); the backup keeps only the *names* of those
 * fields, and a restore lists every object whose secret must be set again.
 */
import {AuthError, UserError} from '../errors.js'
import type {CallOptions, GrafanaClient} from '../grafana/client.js'
import {listDatasources} from '../grafana/datasources.js'
import {compareCodePoints} from '../order.js'
import {forEachConcurrently} from './pool.js'

export const OBJECT_KINDS = ['datasources', 'library-panels', 'alert-rules', 'contact-points', 'policies'] as const
export type ObjectKind = (typeof OBJECT_KINDS)[number]
export const BACKUP_KINDS = ['dashboards', ...OBJECT_KINDS] as const
export type BackupKind = (typeof BACKUP_KINDS)[number]

/** What each kind needs (the least basic role holding it: api-facts.md §12). */
export const KIND_PERMISSION: Record<ObjectKind, {read: string; write: string}> = {
  datasources: {read: 'datasources:read', write: 'datasources:create'},
  'library-panels': {read: 'library.panels:read', write: 'library.panels:create'},
  'alert-rules': {read: 'alert.rules:read', write: 'alert.rules:write'},
  'contact-points': {read: 'alert.provisioning:read', write: 'alert.provisioning:write'},
  policies: {read: 'alert.provisioning:read', write: 'alert.provisioning:write'},
}

export function objectFile(kind: ObjectKind): string {
  return `grafana/${kind}.json`
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
/**
 * Objects in a backup file ordered by `key`, code point by code point: the same bytes whatever the
 * locale of the run (localeCompare follows LANG: a cron job and a shell of another language wrote
 * the same objects in different orders, so with different sha256s) and the ICU version of the
 * Node that ran it; and no ICU collator to set up (some 10 ms of every backup, measured).
 */
const byKey = (key: string) => (a: Obj, b: Obj) => compareCodePoints(String(a[key] ?? ''), String(b[key] ?? ''))

function omit(o: Obj, keys: string[]): Obj {
  const out: Obj = {}
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v
  return out
}

/** One kind as stored: the items, and per item the secret fields a restore cannot bring back. */
export interface KindContent {
  kind: ObjectKind
  items: Obj[]
}

async function fetchDatasources(grafana: GrafanaClient, call: CallOptions): Promise<Obj[]> {
  const list = await listDatasources(grafana, call)
  const out: Obj[] = []
  // a few at a time: each detail is one round trip
  await forEachConcurrently(list, 8, async (d) => {
    const detail = await grafana.apiJson<Obj>(`/api/datasources/uid/${encodeURIComponent(d.uid)}`, {...call, permission: 'datasources:read'})
    const secretFields = isObj(detail.secureJsonFields) ? Object.keys(detail.secureJsonFields).filter((k) => (detail.secureJsonFields as Obj)[k]).sort() : []
    // never secureJsonData (Grafana does not send it; should one ever, it is dropped here)
    out.push({...omit(detail, ['id', 'orgId', 'version', 'typeLogoUrl', 'typeName', 'secureJsonFields', 'secureJsonData', 'password', 'basicAuthPassword']), secretFields})
  })
  return out.sort(byKey('uid'))
}

async function fetchLibraryPanels(grafana: GrafanaClient, call: CallOptions): Promise<Obj[]> {
  const out: Obj[] = []
  for (let page = 1; page < 10_000; page++) {
    const body = await grafana.apiJson<{result?: {elements?: unknown[]; totalCount?: number; perPage?: number}}>('/api/library-elements', {
      ...call,
      query: {perPage: 100, page, kind: 1},
      permission: 'library.panels:read',
    })
    const elements = (body.result?.elements ?? []).filter(isObj)
    for (const e of elements) {
      const model = isObj(e.model) ? omit(e.model, ['libraryPanel', 'id']) : {}
      out.push({uid: e.uid, name: e.name, kind: e.kind ?? 1, folderUid: e.folderUid ?? (isObj(e.meta) ? e.meta.folderUid : '') ?? '', model})
    }
    if (elements.length < 100 || out.length >= (body.result?.totalCount ?? 0)) break
  }
  return out.sort(byKey('uid'))
}

async function fetchAlertRules(grafana: GrafanaClient, call: CallOptions): Promise<Obj[]> {
  const list = await grafana.apiJson<unknown>('/api/v1/provisioning/alert-rules', {...call, permission: 'alert.rules:read'})
  return (Array.isArray(list) ? list.filter(isObj) : []).map((r) => omit(r, ['id', 'orgID', 'updated', 'provenance'])).sort(byKey('uid'))
}

async function fetchContactPoints(grafana: GrafanaClient, call: CallOptions): Promise<Obj[]> {
  const list = await grafana.apiJson<unknown>('/api/v1/provisioning/contact-points', {...call, permission: 'alert.provisioning:read'})
  return (Array.isArray(list) ? list.filter(isObj) : [])
    .map((c) => {
      const settings = isObj(c.settings) ? c.settings : {}
      const secretFields = Object.keys(settings).filter((k) => settings[k] === '[REDACTED]').sort()
      return {...omit(c, ['provenance']), settings: omit(settings, secretFields), secretFields}
    })
    .sort(byKey('uid'))
}

async function fetchPolicies(grafana: GrafanaClient, call: CallOptions): Promise<Obj[]> {
  const tree = await grafana.apiJson<Obj>('/api/v1/provisioning/policies', {...call, permission: 'alert.provisioning:read'})
  return [omit(tree, ['provenance'])]
}

const FETCH: Record<ObjectKind, (g: GrafanaClient, call: CallOptions) => Promise<Obj[]>> = {
  datasources: fetchDatasources,
  'library-panels': fetchLibraryPanels,
  'alert-rules': fetchAlertRules,
  'contact-points': fetchContactPoints,
  policies: fetchPolicies,
}

export interface FetchedKind {
  kind: ObjectKind
  /** the file's content (stable JSON), or why the kind could not be read */
  text?: string
  count: number
  error?: string
}

/** Read one kind. A refusal (403) or failure is a result: the backup is then partial, naming the permission. */
export async function fetchKind(grafana: GrafanaClient, kind: ObjectKind, call: CallOptions & {deadlineText?: string} = {}): Promise<FetchedKind> {
  const {deadlineText, ...options} = call
  try {
    const items = await FETCH[kind](grafana, options)
    return {kind, text: JSON.stringify(items, null, 2) + '\n', count: items.length}
  } catch (error) {
    // the run's --deadline (its signal) passed while this kind was read: partial, said so
    if (options.signal?.aborted) return {kind, count: 0, error: `${kind} not backed up: not fetched within the --deadline${deadlineText ? ` of ${deadlineText}` : ''}`}
    const why = error instanceof AuthError ? `${error.message}: ${error.hint ?? ''}` : error instanceof Error ? error.message : String(error)
    if (error instanceof AuthError && error.code === 'grafana_unauthorized') throw error
    return {kind, count: 0, error: `${kind} not backed up: ${why}`}
  }
}

/** `--only` values → the kinds to back up or restore. */
export function parseOnly(values: string[] | undefined): Set<BackupKind> {
  if (!values || values.length === 0) return new Set(BACKUP_KINDS)
  const out = new Set<BackupKind>()
  for (const v of values.flatMap((x) => x.split(','))) {
    const k = v.trim() as BackupKind
    if (!(BACKUP_KINDS as readonly string[]).includes(k)) throw new UserError(`--only ${v}: expected ${BACKUP_KINDS.join(', ')}`, {code: 'usage'})
    out.add(k)
  }
  return out
}
