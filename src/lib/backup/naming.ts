/**
 * Names on disk for a dashboard backup. Everything that comes from Grafana (folder titles,
 * dashboard titles and uids) is untrusted: each path component is sanitised on its own, and the
 * final path is resolved and checked to be inside the backup folder, so nothing a server sends
 * (`../../etc/passwd`, `/`, NUL, 4 KB titles) can write anywhere else. Pure functions.
 */
import {createHash} from 'node:crypto'
import {isAbsolute, relative, resolve, sep} from 'node:path'

import {BugError} from '../errors.js'

/** Bytes per path component; well under the 255 most filesystems allow, leaving room for suffixes. */
const MAX_COMPONENT_BYTES = 80
/** Where dashboards outside any folder go (Grafana calls the root "General" / "Dashboards"). */
export const ROOT_FOLDER_DIR = 'General'
export const DASHBOARDS_DIR = 'dashboards'
export const MANIFEST_FILE = 'manifest.json'
export const FOLDERS_FILE = 'folders.json'

/** A complete backup: `dashboards-20260102T030405Z` (or with `-2` when two finish in the same second). */
const COMPLETE_RE = /^dashboards-(\d{8}T\d{6}Z)(?:-(\d+))?$/
/** Kept work of a run that failed part-way: never taken for a complete backup. */
const PARTIAL_RE = /^dashboards-(\d{8}T\d{6}Z)(?:-\d+)?-(partial|interrupted)$/
/** A run's working folder while it runs. */
const TEMP_RE = /^\.partial-(\d{8}T\d{6}Z)-(\d+)$/

/**
 * A component sanitizeComponent leaves as it is: only letters, digits, `.`, `_`, `-` (a space would
 * need the whitespace rules), no `..` or `__` anywhere, no leading or trailing `.`, not empty.
 */
const ALREADY_SAFE_RE = /^(?!.*(?:\.\.|__))[A-Za-z0-9_-](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/

/**
 * One safe path component: letters, digits, space, `.`, `_`, `-` are kept; anything else becomes
 * `_`; no leading dot (no `.`, `..` or hidden files); at most MAX_COMPONENT_BYTES; never empty.
 */
export function sanitizeComponent(text: string): string {
  // most uids and titles are already safe, and come back unchanged (the same checks as below, in one test)
  if (text.length <= MAX_COMPONENT_BYTES && ALREADY_SAFE_RE.test(text)) return text
  let s = text
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9 ._-]+/g, '_')
    // no `..` anywhere, even inside a name, so no reader can mistake it for a parent reference
    .replace(/\.{2,}/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
  if (s.length > MAX_COMPONENT_BYTES) s = s.slice(0, MAX_COMPONENT_BYTES).replace(/[.\s]+$/, '')
  return s === '' ? '_' : s
}

/** A short, stable digest, to keep two different names apart once sanitised alike. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8)
}

/**
 * The file name of a dashboard: its sanitised uid, plus a digest of the real uid whenever
 * sanitising changed it (so `a/b` and `a_b` cannot overwrite each other). Uids are unique per
 * org, so this is unique without the title.
 */
export function dashboardFileName(uid: string): string {
  const safe = sanitizeComponent(uid)
  return safe === uid ? `${safe}.json` : `${safe}~${shortHash(uid)}.json`
}

/**
 * The path of a dashboard's file relative to the backup folder, always with `/`:
 * `dashboards/<folder path>/<uid>.json`. `folderPath` is the folder's title path from the root
 * (empty for the root folder).
 */
export function dashboardRelativePath(uid: string, folderPath: string[]): string {
  return `${dashboardFolderRelativePath(folderPath)}/${dashboardFileName(uid)}`
}

/** The folder part of dashboardRelativePath: `dashboards/<folder path>` (one per Grafana folder, so a backup works it out once each). */
export function dashboardFolderRelativePath(folderPath: string[]): string {
  const folders = folderPath.length === 0 ? [ROOT_FOLDER_DIR] : folderPath.map((t) => sanitizeComponent(t))
  return [DASHBOARDS_DIR, ...folders].join('/')
}

/** Resolve a relative path inside `root`, refusing anything that would land outside it. */
export function resolveInside(root: string, relativePath: string): string {
  const base = resolve(root)
  if (isAbsolute(relativePath) || relativePath.includes('\0')) throw new BugError(`refusing unsafe backup path ${JSON.stringify(relativePath)}`)
  const full = resolve(base, relativePath)
  const rel = relative(base, full)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..'))
    throw new BugError(`refusing backup path ${JSON.stringify(relativePath)}: it is outside ${base}`)
  return full
}

/** `2026-01-02T03:04:05.678Z` → `20260102T030405Z` */
export function compactTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')
}

export function completeBackupName(started: Date, attempt = 0): string {
  return `dashboards-${compactTimestamp(started)}${attempt > 0 ? `-${attempt + 1}` : ''}`
}

export function partialBackupName(completeName: string, why: 'partial' | 'interrupted' = 'partial'): string {
  return `${completeName}-${why}`
}

export function tempBackupName(started: Date, pid: number): string {
  return `.partial-${compactTimestamp(started)}-${pid}`
}

export type BackupEntryKind = 'complete' | 'partial' | 'temp' | 'other'

export interface ClassifiedEntry {
  name: string
  kind: BackupEntryKind
  /** `20260102T030405Z` for backups and temp folders */
  stamp?: string
  /** order among backups of the same second */
  seq?: number
  /** temp folders: the pid of the run that owns it */
  pid?: number
}

/** What a name in the backup folder is. Only `complete` names can ever be verified, restored by default or pruned. */
export function classifyEntry(name: string): ClassifiedEntry {
  let m = COMPLETE_RE.exec(name)
  if (m) return {name, kind: 'complete', stamp: m[1], seq: m[2] ? Number(m[2]) : 1}
  m = PARTIAL_RE.exec(name)
  if (m) return {name, kind: 'partial', stamp: m[1]}
  m = TEMP_RE.exec(name)
  if (m) return {name, kind: 'temp', stamp: m[1], pid: Number(m[2])}
  return {name, kind: 'other'}
}

/** Complete-backup names, oldest first. */
export function sortCompleteOldestFirst(names: string[]): ClassifiedEntry[] {
  return names
    .map(classifyEntry)
    .filter((e) => e.kind === 'complete')
    .sort((a, b) => (a.stamp === b.stamp ? (a.seq ?? 1) - (b.seq ?? 1) : a.stamp! < b.stamp! ? -1 : 1))
}
