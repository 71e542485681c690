/**
 * dashboards:grafana — the dashboards the config expects (services.grafana.expectedDashboards; the
 * runbook's "Installed Dashboards") are in Grafana, matched by uid, grafana.com id or title.
 * Reuses `listDashboards` (hydra dashboards list).
 */
import type {HydraConfig} from '../../../config/resolve.js'
import {addCommand, gnetLookupNote, listDashboards, type ExpectedStatus} from '../../../grafana/expected.js'
import type {Check} from '../../model.js'
import {callOptions, grafanaApiCheck} from './grafana-check.js'

const named = (e: ExpectedStatus) => `${e.title}${e.gnetId ? ` (grafana.com ${e.gnetId})` : e.uid ? ` (uid ${e.uid})` : ''}`

export function expectedDashboardsCheck(cfg: HydraConfig): Check {
  const grafana = cfg.grafana!
  const expected = grafana.expectedDashboards
  return grafanaApiCheck(grafana, {
    kind: 'dashboards',
    title: `the ${expected.length} expected dashboard${expected.length === 1 ? ' is' : 's are'} in Grafana`,
    // the search, then (only while one is unmatched by uid or title) the models for their grafana.com ids
    calls: 3,
    async run(client, ctx) {
      const report = await listDashboards(client, expected, 8, callOptions(ctx, grafana))
      const missing = report.expected.filter((e) => !e.present)
      if (missing.length === 0) {
        return {status: 'ok', detail: `all ${expected.length} present: ${report.expected.map((e) => `${e.title} → ${e.match!.uid}`).join(', ')}`}
      }
      return {
        status: 'fail',
        cause: 'dashboard_missing',
        detail: `${missing.length} of ${expected.length} expected dashboard${expected.length === 1 ? '' : 's'} missing: ${missing.map(named).join(', ')}`,
        evidence: [
          `GET /api/search?type=dash-db: ${report.dashboards.length} dashboard${report.dashboards.length === 1 ? '' : 's'}, none with ${missing.map((e) => [e.uid && `uid ${e.uid}`, e.gnetId && `gnetId ${e.gnetId}`, `title "${e.title}"`].filter(Boolean).join(' or ')).join('; none with ')}`,
          ...missing.filter((e) => e.gnetLookup).map((e) => `${e.title}: ${gnetLookupNote(e.gnetLookup!)}`),
        ],
        hint: `add ${missing.length === 1 ? 'it' : 'them'}: ${missing.map((e) => addCommand(e)).join('; ')} (or drop it from services.grafana.expectedDashboards)`,
      }
    },
  })
}
