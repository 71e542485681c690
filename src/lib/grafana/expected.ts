/**
 * The dashboards the config expects (services.grafana.expectedDashboards; the runbook's four in
 * the embedded default) against what Grafana has. An expected dashboard is present when a
 * dashboard has its uid, its grafana.com id (the `gnetId` an import keeps in the model) or its
 * title. Titles and uids come from the search; gnetIds need the models, fetched only while an
 * expected dashboard is still unmatched.
 */
import {forEachConcurrently} from '../backup/pool.js'
import {CONTROL_PLANE_UID} from './generate.js'
import {DashboardNotFoundError, type CallOptions, type DashboardHit, type GrafanaClient} from './client.js'

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

export async function listDashboards(grafana: GrafanaClient, expected: ExpectedDashboard[], concurrency = 16, options: CallOptions = {}): Promise<DashboardListReport> {
  const hits: DashboardHit[] = []
  for await (const h of grafana.searchDashboards(undefined, options)) hits.push(h)
  const dashboards: ListedDashboard[] = hits.map((h) => ({uid: h.uid, title: h.title, ...(h.folderTitle ? {folderTitle: h.folderTitle} : {})}))
  let status = matchExpected(expected, dashboards)
  if (status.some((s) => !s.present && s.gnetId)) {
    // only the models tell which grafana.com dashboard an imported one came from
    await forEachConcurrently(dashboards, concurrency, async (d) => {
      try {
        const {doc} = await grafana.getDashboard(d.uid, options)
        if (typeof doc.dashboard.gnetId === 'number') d.gnetId = doc.dashboard.gnetId
      } catch (error) {
        if (!(error instanceof DashboardNotFoundError)) throw error
      }
    })
    status = matchExpected(expected, dashboards)
  }
  for (const s of status) if (s.match) for (const d of dashboards) if (d.uid === s.match.uid) d.expected = s.title
  dashboards.sort((a, b) => a.title.localeCompare(b.title) || a.uid.localeCompare(b.uid))
  const missing = status.filter((s) => !s.present).length
  return {expected: status, dashboards, missing, exitCode: missing > 0 ? 1 : 0}
}
