/** dashboards:grafana (the expected dashboards) against Grafana's answers, on a loopback server. */
import type {Server} from 'node:http'

import {afterEach, describe, expect, it} from 'vitest'

import {expectedDashboardsCheck} from '../../../../../src/lib/doctor/catalogue/grafana/dashboards.js'
import {grafanaFamily} from '../../../../../src/lib/doctor/catalogue/grafana/index.js'
import {buildProbes} from '../../../../../src/lib/health/probes.js'
import {configFor, ctxFor, fakeGrafana, fixture, type Routes} from '../../../../helpers/fake-grafana.js'

const servers: Server[] = []
afterEach(() => servers.splice(0).forEach((s) => s.close()))

const RUNBOOK = [
  {title: 'Node Exporter Full', gnetId: 1860},
  {title: 'NVIDIA DCGM', gnetId: 12239},
  {title: 'Hydra AI Control Plane', uid: 'hydra-ai-control-plane'},
]

async function run(routes: Routes, expected: unknown[]) {
  const g = await fakeGrafana({'GET /api/search': {body: fixture('search-runbook.json')}, ...routes})
  servers.push(g.server)
  const cfg = configFor(g.url, (doc) => (doc.services.grafana.expectedDashboards = expected))
  return {outcome: await expectedDashboardsCheck(cfg).run(ctxFor(cfg)), seen: g.seen}
}

describe('dashboards:grafana', () => {
  it('is in the catalogue only when the config expects dashboards, after auth', () => {
    const cfg = configFor('http://127.0.0.1:1')
    expect(expectedDashboardsCheck(cfg)).toMatchObject({id: 'dashboards:grafana', kind: 'dashboards', dependsOn: ['auth:grafana'], title: 'the 1 expected dashboard is in Grafana'})
    const none = configFor('http://127.0.0.1:1', (doc) => (doc.services.grafana.expectedDashboards = []))
    expect(grafanaFamily.checks(none, buildProbes(none)).map((c) => c.id)).toEqual(['health:grafana', 'auth:grafana', 'datasources:grafana', 'panels:grafana'])
  })

  it('ok when each is present (by title from the search: no dashboard models fetched)', async () => {
    const {outcome, seen} = await run({}, [{title: 'Node Exporter Full', gnetId: 1860}])
    expect(outcome).toEqual({status: 'ok', detail: 'all 1 present: Node Exporter Full → rYdddlPWk'})
    expect(seen.filter((s) => s.startsWith('GET /api/dashboards/uid/'))).toEqual([])
  })

  it("the runbook's four minus what is there: dashboard_missing, with the command that adds each", async () => {
    const {outcome} = await run(
      {'GET /api/dashboards/uid/gpu-overview': {body: fixture('dashboard-gpu-overview.json')}, 'GET /api/dashboards/uid/rYdddlPWk': {body: {dashboard: {uid: 'rYdddlPWk', title: 'Node Exporter Full', gnetId: 1860}, meta: {}}}},
      RUNBOOK,
    )
    expect(outcome).toMatchObject({status: 'fail', cause: 'dashboard_missing', detail: '2 of 3 expected dashboards missing: NVIDIA DCGM (grafana.com 12239), Hydra AI Control Plane (uid hydra-ai-control-plane)'})
    expect(outcome.evidence).toEqual(['GET /api/search?type=dash-db: 2 dashboards, none with gnetId 12239 or title "NVIDIA DCGM"; none with uid hydra-ai-control-plane or title "Hydra AI Control Plane"'])
    expect(outcome.hint).toBe('add them: hydra dashboards import 12239; hydra dashboards generate | hydra dashboards import - (or drop it from services.grafana.expectedDashboards)')
  })

  it('Grafana refusing the search mid-run is an outcome, not a crash', async () => {
    const {outcome} = await run({'GET /api/search': {status: 500, body: {message: 'database is locked'}}}, RUNBOOK)
    expect(outcome.status).toBe('fail')
    expect(outcome.detail).toMatch(/^Grafana: .*500/)
  })
})
