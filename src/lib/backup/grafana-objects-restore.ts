/**
 * Restoring the non-dashboard kinds of a backup (grafana-objects.ts). Order matters and is the
 * caller's: data sources and library panels before dashboards; alert rules, contact points and
 * then the policy tree (which names contact points) after. An object that exists is left alone
 * when it is the same, replaced with --overwrite, reported as `exists` otherwise. Every object
 * restored without its secret is listed, with the fields to set again.
 */
import {readFile} from 'node:fs/promises'

import {AuthError, HydraError} from '../errors.js'
import {grafanaErrorMessage, type GrafanaClient} from '../grafana/client.js'
import {KIND_PERMISSION, objectFile, type ObjectKind} from './grafana-objects.js'
import {resolveInside} from './naming.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export interface ObjectRestoreOutcome {
  kind: ObjectKind
  /** uid, or the name for the policy tree */
  id: string
  name: string
  action: 'created' | 'updated' | 'unchanged' | 'exists' | 'would-create' | 'would-update' | 'failed'
  detail?: string
}

export interface SecretToSet {
  kind: ObjectKind
  uid: string
  name: string
  fields: string[]
}

export interface ObjectsRestoreResult {
  objects: ObjectRestoreOutcome[]
  secrets: SecretToSet[]
}

/** Stable JSON of an object with sorted keys, for "is it the same". */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

function strip(o: Obj, keys: string[]): Obj {
  const out: Obj = {}
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v
  return out
}

interface Ops {
  /** the live object, or undefined */
  get(item: Obj): Promise<Obj | undefined>
  /** what of the live object compares with the stored one */
  normalize(live: Obj): Obj
  create(item: Obj): Promise<{status: number; text: string}>
  update(item: Obj): Promise<{status: number; text: string}>
}

export interface RestoreObjectsOptions {
  grafana: GrafanaClient
  dir: string
  kinds: ObjectKind[]
  dryRun: boolean
  overwrite: boolean
}

function opsFor(grafana: GrafanaClient, kind: ObjectKind): Ops {
  const perm = KIND_PERMISSION[kind]
  const send = async (method: string, path: string, json: unknown) => {
    const res = await grafana.api(method, path, {json, okStatus: 'any', permission: perm.write, headers: {'x-disable-provenance': 'true'}})
    return {status: res.status, text: res.text()}
  }
  const getOr404 = async (path: string): Promise<Obj | undefined> => {
    const res = await grafana.api('GET', path, {okStatus: [200, 404], permission: perm.read})
    if (res.status === 404) return undefined
    const v = JSON.parse(res.text()) as unknown
    return isObj(v) ? v : undefined
  }
  const uidOf = (item: Obj) => encodeURIComponent(String(item.uid ?? ''))
  switch (kind) {
    case 'datasources':
      return {
        get: (item) => getOr404(`/api/datasources/uid/${uidOf(item)}`),
        normalize: (live) => {
          const f = isObj(live.secureJsonFields) ? live.secureJsonFields : {}
          return {...strip(live, ['id', 'orgId', 'version', 'typeLogoUrl', 'typeName', 'secureJsonFields']), secretFields: Object.keys(f).filter((k) => f[k]).sort()}
        },
        create: (item) => send('POST', '/api/datasources', strip(item, ['secretFields'])),
        update: (item) => send('PUT', `/api/datasources/uid/${uidOf(item)}`, strip(item, ['secretFields'])),
      }
    case 'library-panels':
      return {
        get: async (item) => {
          const v = await getOr404(`/api/library-elements/${uidOf(item)}`)
          return v && isObj(v.result) ? v.result : undefined
        },
        normalize: (live) => ({uid: live.uid, name: live.name, kind: live.kind, folderUid: live.folderUid ?? '', model: isObj(live.model) ? strip(live.model, ['libraryPanel', 'id']) : {}}),
        create: (item) => send('POST', '/api/library-elements', item),
        update: async (item) => {
          const live = await getOr404(`/api/library-elements/${uidOf(item)}`)
          const version = isObj(live?.result) ? live.result.version : undefined
          return send('PATCH', `/api/library-elements/${uidOf(item)}`, {...item, version})
        },
      }
    case 'alert-rules':
      return {
        get: (item) => getOr404(`/api/v1/provisioning/alert-rules/${uidOf(item)}`),
        normalize: (live) => strip(live, ['id', 'orgID', 'updated', 'provenance']),
        create: (item) => send('POST', '/api/v1/provisioning/alert-rules', item),
        update: (item) => send('PUT', `/api/v1/provisioning/alert-rules/${uidOf(item)}`, item),
      }
    case 'contact-points':
      return {
        get: async (item) => {
          const list = await grafana.apiJson<unknown>('/api/v1/provisioning/contact-points', {permission: perm.read})
          return (Array.isArray(list) ? list.filter(isObj) : []).find((c) => c.uid === item.uid)
        },
        normalize: (live) => {
          const settings = isObj(live.settings) ? live.settings : {}
          const secretFields = Object.keys(settings).filter((k) => settings[k] === '[REDACTED]').sort()
          return {...strip(live, ['provenance']), settings: strip(settings, secretFields), secretFields}
        },
        create: (item) => send('POST', '/api/v1/provisioning/contact-points', strip(item, ['secretFields'])),
        update: (item) => send('PUT', `/api/v1/provisioning/contact-points/${uidOf(item)}`, strip(item, ['secretFields'])),
      }
    case 'policies':
      return {
        get: (_item) => grafana.apiJson<Obj>('/api/v1/provisioning/policies', {permission: perm.read}),
        normalize: (live) => strip(live, ['provenance']),
        create: (item) => send('PUT', '/api/v1/provisioning/policies', item),
        update: (item) => send('PUT', '/api/v1/provisioning/policies', item),
      }
  }
}

async function readKind(dir: string, kind: ObjectKind): Promise<Obj[]> {
  const value = JSON.parse(await readFile(resolveInside(dir, objectFile(kind)), 'utf8')) as unknown
  return Array.isArray(value) ? value.filter(isObj) : []
}

export async function restoreObjects(options: RestoreObjectsOptions): Promise<ObjectsRestoreResult> {
  const {grafana} = options
  const objects: ObjectRestoreOutcome[] = []
  const secrets: SecretToSet[] = []
  for (const kind of options.kinds) {
    const ops = opsFor(grafana, kind)
    for (const item of await readKind(options.dir, kind)) {
      const id = kind === 'policies' ? 'policy tree' : String(item.uid ?? '')
      const name = kind === 'policies' ? `root → ${String(item.receiver ?? '')}` : String(item.name ?? item.title ?? id)
      const outcome: ObjectRestoreOutcome = {kind, id, name, action: 'failed'}
      try {
        const live = await ops.get(item)
        const same = live !== undefined && canon(ops.normalize(live)) === canon(item)
        let write: 'create' | 'update' | undefined
        if (same) outcome.action = 'unchanged'
        else if (!live) write = 'create'
        // the policy tree always exists (Grafana's default one): it is replaced
        else if (kind === 'policies' || options.overwrite) write = 'update'
        else {
          outcome.action = 'exists'
          outcome.detail = 'differs from the backup: --overwrite replaces it'
        }
        if (write && options.dryRun) outcome.action = write === 'create' ? 'would-create' : 'would-update'
        else if (write) {
          const r = write === 'create' ? await ops.create(item) : await ops.update(item)
          if (r.status >= 200 && r.status < 300) outcome.action = write === 'create' ? 'created' : 'updated'
          else outcome.detail = `HTTP ${r.status}: ${grafanaErrorMessage(r.text).message ?? r.text.slice(0, 200)}`
        }
        const fields = Array.isArray(item.secretFields) ? item.secretFields.map(String) : []
        if (fields.length > 0 && (outcome.action === 'created' || outcome.action === 'updated' || outcome.action === 'would-create' || outcome.action === 'would-update'))
          secrets.push({kind, uid: id, name, fields})
      } catch (error) {
        if (error instanceof AuthError) throw error
        outcome.detail = error instanceof HydraError || error instanceof Error ? error.message : String(error)
      }
      objects.push(outcome)
    }
  }
  return {objects, secrets}
}
