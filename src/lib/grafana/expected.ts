/**
 * The dashboards the config expects (services.grafana.expectedDashboards; the runbook's four in
 * the embedded default) against what Grafana has. An expected dashboard is present when a
 * dashboard has its uid, its grafana.com id (the `gnetId` an import keeps in the model) or its
 * title. Titles and uids come from the search; gnetIds need the models, one request each, so they
 * are opened only while an expected dashboard is still unmatched; on a Grafana with more than
 * MAX_GNET_LOOKUPS dashboards, only those whose title or tags share a word with its title (a
 * renamed import keeps some of it: "Node Exporter (copy)", tag "node-exporter"), at most
 * MAX_GNET_LOOKUPS of them: thousands of dashboards cost a few requests, and the list says how far
 * it looked.
 */
import {forEachConcurrently} from '../backup/pool.js'
import {CONTROL_PLANE_UID} from './generate.js'
import {DashboardNotFoundError, type CallOptions, type DashboardHit, type GrafanaClient} from './client.js'
import {compareCodePoints, compareNames} from '../order.js'

export interface ExpectedDashboard {
  title: string
  gnetId?: number
  uid?: string
}

export interface ListedDashboard {
  uid: string
  title: string
  folderTitle?: string
  gnetId?: number
  /** the expected entry it satisfies */
  expected?: string
}

export interface ExpectedStatus extends ExpectedDashboard {
  present: boolean
  /** the dashboard that satisfies it */
  match?: {uid: string; title: string; by: 'uid' | 'gnetId' | 'title'}
  /**
   * Missing, and its grafana.com id was looked for in only some models (those resembling its
   * title, at most MAX_GNET_LOOKUPS): how many were opened and how many were not.
   */
  gnetLookup?: {opened: number; notOpened: number}
}

export interface DashboardListReport {
  expected: ExpectedStatus[]
  dashboards: ListedDashboard[]
  missing: number
  exitCode: 0 | 1
}

/** The command that puts a missing expected dashboard in place. Pure. */
export function addCommand(e: ExpectedDashboard): string {
  if (e.gnetId) return `hydra dashboards import ${e.gnetId}`
  if (e.uid === CONTROL_PLANE_UID) return 'hydra dashboards generate | hydra dashboards import -'
  return `hydra dashboards import FILE (the JSON of "${e.title}")`
}

/** How far a missing dashboard's grafana.com id was looked for (expected.ts gnetCandidates). Pure. */
export function gnetLookupNote(l: {opened: number; notOpened: number}): string {
  return `grafana.com id not verified in ${l.notOpened} dashboard${l.notOpened === 1 ? '' : 's'} whose title and tags share no word with it; looked in ${l.opened}`
}

/** Match expected dashboards to listed ones. Pure. */
export function matchExpected(expected: ExpectedDashboard[], dashboards: ListedDashboard[]): ExpectedStatus[] {
  return expected.map((e) => {
    const byUid = e.uid ? dashboards.find((d) => d.uid === e.uid) : undefined
    const byGnet = e.gnetId ? dashboards.find((d) => d.gnetId === e.gnetId) : undefined
    const byTitle = dashboards.find((d) => d.title.toLowerCase() === e.title.toLowerCase())
    const found = byUid ? {d: byUid, by: 'uid' as const} : byGnet ? {d: byGnet, by: 'gnetId' as const} : byTitle ? {d: byTitle, by: 'title' as const} : undefined
    return {...e, present: Boolean(found), ...(found ? {match: {uid: found.d.uid, title: found.d.title, by: found.by}} : {})}
  })
}

/** Models opened at most to look for grafana.com ids (one request each). */
export const MAX_GNET_LOOKUPS = 50

/** Words every title has, which say nothing about which dashboard it is. */
const FILLER = new Set(['the', 'and', 'for', 'with', 'dashboard', 'dashboards', 'full', 'new', 'copy', 'grafana', 'overview', 'metrics', 'monitoring'])

/** The words of a title or tag that can tell dashboards apart: lower case, 3+ letters or a number, no filler. Pure. */
export function significantWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => (w.length >= 3 || /^\d+$/.test(w)) && !FILLER.has(w))
}

/**
 * Which dashboards to open to look for the grafana.com ids of `unmatched`: every one when there
 * are at most `cap`; else those whose title or tags share a word with an unmatched title, most
 * shared words first, at most `cap`. Pure.
 */
export function gnetCandidates(unmatched: ExpectedDashboard[], dashboards: DashboardHit[], cap = MAX_GNET_LOOKUPS): DashboardHit[] {
  if (dashboards.length <= cap) return dashboards
  const wanted = new Set(unmatched.flatMap((e) => significantWords(e.title)))
  const scored: {d: DashboardHit; score: number}[] = []
  for (const d of dashboards) {
    const words = new Set([...significantWords(d.title), ...(d.tags ?? []).flatMap(significantWords)])
    let score = 0
    for (const w of words) if (wanted.has(w)) score++
    if (score > 0) scored.push({d, score})
  }
  scored.sort((a, b) => b.score - a.score || compareCodePoints(a.d.uid, b.d.uid))
  return scored.slice(0, cap).map((s) => s.d)
}

export async function listDashboards(grafana: GrafanaClient, expected: ExpectedDashboard[], concurrency = 16, options: CallOptions = {}): Promise<DashboardListReport> {
  const hits: DashboardHit[] = []
  for await (const h of grafana.searchDashboards(undefined, options)) hits.push(h)
  const dashboards: ListedDashboard[] = hits.map((h) => ({uid: h.uid, title: h.title, ...(h.folderTitle ? {folderTitle: h.folderTitle} : {})}))
  let status = matchExpected(expected, dashboards)
  const unmatched = status.filter((s) => !s.present && s.gnetId)
  if (unmatched.length > 0) {
    // only the models tell which grafana.com dashboard an imported one came from: open the likely ones
    const byUid = new Map(dashboards.map((d) => [d.uid, d]))
    const open = gnetCandidates(unmatched, hits).map((h) => byUid.get(h.uid)!)
    await forEachConcurrently(open, concurrency, async (d) => {
      try {
        const {doc} = await grafana.getDashboard(d.uid, options)
        if (typeof doc.dashboard.gnetId === 'number') d.gnetId = doc.dashboard.gnetId
      } catch (error) {
        if (!(error instanceof DashboardNotFoundError)) throw error
      }
    })
    status = matchExpected(expected, dashboards).map((s) =>
      !s.present && s.gnetId && open.length < dashboards.length ? {...s, gnetLookup: {opened: open.length, notOpened: dashboards.length - open.length}} : s,
    )
  }
  for (const s of status) if (s.match) for (const d of dashboards) if (d.uid === s.match.uid) d.expected = s.title
  dashboards.sort((a, b) => compareNames(a.title, b.title) || compareCodePoints(a.uid, b.uid))
  const missing = status.filter((s) => !s.present).length
  return {expected: status, dashboards, missing, exitCode: missing > 0 ? 1 : 0}
}
