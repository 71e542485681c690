/**
 * The manifest of a dashboard backup (`manifest.json`): what was asked for, what was saved, and
 * each file's sha256 and size, so a backup can be checked long after it was written. Building and
 * checking are pure; reading files is left to the caller (verify.ts).
 */
import {MANIFEST_FILE} from './naming.js'

export const MANIFEST_FORMAT = 'hydra-grafana-dashboards'
export const MANIFEST_FORMAT_VERSION = 1

export interface ManifestFile {
  /** relative to the backup folder, with `/` */
  path: string
  sha256: string
  size: number
}

export interface ManifestDashboard extends ManifestFile {
  uid: string
  title: string
  /** absent: the root folder */
  folderUid?: string
}

/** One non-dashboard kind (grafana-objects.ts): a file under grafana/. */
export interface ManifestObjectFile extends ManifestFile {
  kind: string
  count: number
}

export interface ManifestProblemItem {
  uid: string
  title: string
  error: string
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT
  formatVersion: number
  hydraVersion: string
  grafana: {url: string; version?: string}
  startedAt: string
  finishedAt: string
  /** true only when every dashboard the search reported was saved */
  complete: boolean
  /** dashboards the search reported (type=dash-db, every page) */
  searchCount: number
  dashboardCount: number
  /** deleted in Grafana between the search and the fetch: not a failure */
  vanished: {uid: string; title: string}[]
  failed: ManifestProblemItem[]
  /** why the run stopped before trying every dashboard (e.g. a search page failed) */
  aborted?: string
  folders: ManifestFile & {count: number}
  dashboards: ManifestDashboard[]
  /** data sources, library panels, alerting (absent in backups of dashboards only) */
  objects?: ManifestObjectFile[]
  /** the kinds this backup holds (absent: dashboards and folders only) */
  kinds?: string[]
}

export interface BuildManifestInput {
  hydraVersion: string
  grafanaUrl: string
  grafanaVersion?: string
  startedAt: Date
  finishedAt: Date
  searchCount: number
  dashboards: ManifestDashboard[]
  vanished: {uid: string; title: string}[]
  failed: ManifestProblemItem[]
  aborted?: string
  folders: ManifestFile & {count: number}
  objects?: ManifestObjectFile[]
  kinds?: string[]
}

export function buildManifest(input: BuildManifestInput): BackupManifest {
  const dashboards = [...input.dashboards].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const accounted = dashboards.length + input.vanished.length
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    hydraVersion: input.hydraVersion,
    grafana: {url: input.grafanaUrl, ...(input.grafanaVersion ? {version: input.grafanaVersion} : {})},
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    complete: input.failed.length === 0 && !input.aborted && accounted === input.searchCount,
    searchCount: input.searchCount,
    dashboardCount: dashboards.length,
    vanished: input.vanished,
    failed: input.failed,
    ...(input.aborted ? {aborted: input.aborted} : {}),
    folders: input.folders,
    dashboards,
    ...(input.kinds ? {kinds: input.kinds} : {}),
    ...(input.objects ? {objects: input.objects} : {}),
  }
}

/**
 * The manifest's text, piece by piece: joined, exactly `JSON.stringify(manifest, null, 2) + '\n'`,
 * but never whole in memory (at 20,000 dashboards that text is some 6 MB, and building it in one
 * call costs about twice that again). One piece per array element; any other value is one piece.
 */
export function* manifestJson(manifest: BackupManifest): Generator<string> {
  const fields = Object.entries(manifest).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol')
  if (fields.length === 0) {
    yield '{}\n'
    return
  }
  let first = true
  for (const [key, value] of fields) {
    const head = `${first ? '{' : ','}\n  ${JSON.stringify(key)}: `
    first = false
    if (Array.isArray(value) && value.length > 0) {
      yield `${head}[`
      for (let i = 0; i < value.length; i++) yield `${i === 0 ? '' : ','}\n    ${(JSON.stringify(value[i], null, 2) ?? 'null').replaceAll('\n', '\n    ')}`
      yield '\n  ]'
    } else yield head + JSON.stringify(value, null, 2).replaceAll('\n', '\n  ')
  }
  yield '\n}\n'
}

/** Parse and check the shape of a manifest read from disk. Throws a TypeError naming what is wrong. */
export function parseManifest(text: string): BackupManifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new TypeError(`${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`)
  }
  const m = value as Partial<BackupManifest>
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) throw new TypeError(`${MANIFEST_FILE} is not a hydra dashboard backup manifest`)
  if (m.formatVersion !== MANIFEST_FORMAT_VERSION)
    throw new TypeError(`${MANIFEST_FILE} has format version ${String(m.formatVersion)}; this hydra reads version ${MANIFEST_FORMAT_VERSION}`)
  if (!Array.isArray(m.dashboards) || !m.folders || typeof m.folders !== 'object') throw new TypeError(`${MANIFEST_FILE} lacks its file list`)
  const isFile = (f: unknown): f is ManifestFile => {
    const x = f as ManifestFile
    return typeof x?.path === 'string' && typeof x.sha256 === 'string' && /^[0-9a-f]{64}$/.test(x.sha256) && Number.isInteger(x.size) && x.size >= 0
  }
  if (!isFile(m.folders)) throw new TypeError(`${MANIFEST_FILE}: folders entry is malformed`)
  m.dashboards.forEach((d, i) => {
    if (!isFile(d) || typeof d.uid !== 'string') throw new TypeError(`${MANIFEST_FILE}: dashboard entry #${i + 1} is malformed`)
  })
  if (typeof m.searchCount !== 'number' || typeof m.dashboardCount !== 'number') throw new TypeError(`${MANIFEST_FILE} lacks its counts`)
  return {...m, vanished: m.vanished ?? [], failed: m.failed ?? []} as BackupManifest
}

export type VerifyProblemKind = 'missing' | 'size' | 'sha256' | 'unexpected' | 'count' | 'incomplete'

export interface VerifyProblem {
  kind: VerifyProblemKind
  /** the file concerned, relative to the backup folder */
  path?: string
  detail: string
}

/** What is on disk for one file of the manifest (`undefined`: missing). */
export interface ObservedFile {
  size: number
  sha256: string
}

/**
 * Compare a manifest with what is on disk. `observed` maps each manifest path to what was found;
 * `onDisk` lists every file under dashboards/ (to catch files the manifest does not name).
 */
export function compareWithManifest(manifest: BackupManifest, observed: Map<string, ObservedFile | undefined>, onDisk: string[]): VerifyProblem[] {
  const problems: VerifyProblem[] = []
  const expected = [manifest.folders, ...manifest.dashboards, ...(manifest.objects ?? [])]
  for (const file of expected) {
    const seen = observed.get(file.path)
    if (!seen) problems.push({kind: 'missing', path: file.path, detail: `${file.path} is missing`})
    else if (seen.size !== file.size)
      problems.push({kind: 'size', path: file.path, detail: `${file.path} is ${seen.size} bytes; the manifest says ${file.size}`})
    else if (seen.sha256 !== file.sha256)
      problems.push({kind: 'sha256', path: file.path, detail: `${file.path} has changed: sha256 ${seen.sha256.slice(0, 12)}…, the manifest says ${file.sha256.slice(0, 12)}…`})
  }
  const named = new Set(expected.map((f) => f.path))
  for (const path of onDisk) if (!named.has(path)) problems.push({kind: 'unexpected', path, detail: `${path} is not in the manifest`})
  problems.push(...countProblems(manifest))
  return problems
}

/** What the manifest says of itself: its counts add up, and it marks the backup complete. */
export function countProblems(manifest: BackupManifest): VerifyProblem[] {
  const problems: VerifyProblem[] = []
  if (manifest.dashboardCount !== manifest.dashboards.length)
    problems.push({kind: 'count', detail: `the manifest counts ${manifest.dashboardCount} dashboards but lists ${manifest.dashboards.length}`})
  if (manifest.dashboards.length + manifest.vanished.length !== manifest.searchCount)
    problems.push({
      kind: 'count',
      detail: `Grafana's search reported ${manifest.searchCount} dashboards; the backup holds ${manifest.dashboards.length}${manifest.vanished.length ? ` (+${manifest.vanished.length} deleted meanwhile)` : ''}`,
    })
  if (!manifest.complete)
    problems.push({
      kind: 'incomplete',
      detail: `the manifest marks this backup incomplete (${manifest.aborted ?? `${manifest.failed.length} dashboards failed`})`,
    })
  return problems
}
