/** datasources:grafana against Grafana's answers (test/fixtures/grafana), on a loopback server. */
import type {Server} from 'node:http'

import {afterEach, describe, expect, it} from 'vitest'

import {datasourcesCheck} from '../../../../../src/lib/doctor/catalogue/grafana/datasources.js'
import type {HydraConfig} from '../../../../../src/lib/config/resolve.js'
import {configFor, ctxFor, fakeGrafana, fixture, type Routes} from '../../../../helpers/fake-grafana.js'

const servers: Server[] = []
afterEach(() => servers.splice(0).forEach((s) => s.close()))

/** GET /api/datasources as documented (api-facts.md §12), aimed at the config's services unless told otherwise */
function list(cfg: HydraConfig, extra: Record<string, unknown>[] = [], promUrl = cfg.prometheus.baseUrl) {
  return [
    {id: 1, uid: 'prometheus', orgId: 1, name: 'Prometheus', type: 'prometheus', typeLogoUrl: '', access: 'proxy', url: promUrl, user: '', database: '', basicAuth: false, isDefault: true, jsonData: {httpMethod: 'POST'}, readOnly: false},
    {id: 2, uid: 'loki', orgId: 1, name: 'Loki', type: 'loki', typeLogoUrl: '', access: 'proxy', url: cfg.loki!.baseUrl, user: '', database: '', basicAuth: false, isDefault: false, jsonData: {}, readOnly: false},
    ...extra,
  ]
}
const OLD = {id: 3, uid: 'prometheus-old', orgId: 1, name: 'Prometheus (old)', type: 'prometheus', typeLogoUrl: '', access: 'proxy', url: 'http://127.0.0.9:9090', user: '', database: '', basicAuth: false, isDefault: false, jsonData: {}, readOnly: false}

async function run(routesOf: (cfg: HydraConfig) => Routes, outcomes?: Record<string, 'ok' | 'warn' | 'fail'>) {
  // the config's URL is only known once the server listens: start it on a routes object filled in after
  const routes: Routes = {}
  const g = await fakeGrafana(routes)
  servers.push(g.server)
  const cfg = configFor(g.url)
  Object.assign(routes, {'GET /api/health': {body: fixture('health.json')}}, routesOf(cfg))
  return {outcome: await datasourcesCheck(cfg).run(ctxFor(cfg, {outcomes})), seen: g.seen}
}

const OK = {body: fixture('datasource-health-ok.json')}
const REFUSED = {status: 400, body: fixture('datasource-health-error.json')}

describe('datasources:grafana', () => {
  it('is a Grafana check after auth and the health of the services it points at', async () => {
    const cfg = configFor('http://127.0.0.1:1')
    expect(datasourcesCheck(cfg)).toMatchObject({id: 'datasources:grafana', kind: 'datasources', group: 'grafana', service: 'grafana', dependsOn: ['auth:grafana', 'health:prometheus', 'health:loki']})
  })

  it('ok: every data source healthy, Prometheus and Loki aimed at the config', async () => {
    const {outcome} = await run((cfg) => ({'GET /api/datasources': {body: list(cfg)}, 'GET /api/datasources/uid/prometheus/health': OK, 'GET /api/datasources/uid/loki/health': OK}))
    expect(outcome).toEqual({status: 'ok', detail: "2 data sources healthy; prometheus and loki aimed at the config's"})
  })

  it("a data source on an old, dead address: cause datasource_elsewhere, before its unhealthy answer, with Grafana's error as evidence", async () => {
    const {outcome} = await run((cfg) => ({
      'GET /api/datasources': {body: list(cfg, [OLD])},
      'GET /api/datasources/uid/prometheus/health': OK,
      'GET /api/datasources/uid/loki/health': OK,
      'GET /api/datasources/uid/prometheus-old/health': REFUSED,
    }))
    expect(outcome).toMatchObject({status: 'fail', cause: 'datasource_elsewhere'})
    expect(outcome.detail).toBe("data source Prometheus (old) (prometheus-old) points at 127.0.0.9:9090, not the config's 127.0.0.2:9090")
    expect(outcome.evidence).toEqual([expect.stringMatching(/^Prometheus \(old\) \(prometheus-old\) url http:\/\/127\.0\.0\.9:9090: .*; health: .*connect: connection refused/)])
    expect(outcome.hint).toMatch(/^point Prometheus \(old\) at http:\/\/127\.0\.0\.2:9090 \(Grafana: Connections > Data sources > Prometheus \(old\) > URL\).*hydra dashboards check.*hydra datasources$/)
  })

  it('no data source aimed at the config Prometheus: datasource_missing', async () => {
    const {outcome} = await run((cfg) => ({'GET /api/datasources': {body: list(cfg).slice(1)}, 'GET /api/datasources/uid/loki/health': OK}))
    expect(outcome).toMatchObject({status: 'fail', cause: 'datasource_missing', detail: "no Grafana data source points at the config's prometheus (http://127.0.0.2:9090)"})
    expect(outcome.hint).toContain('hydra dashboards import')
  })

  it("aimed at the config's service but unhealthy: datasource_unhealthy with Grafana's message", async () => {
    const {outcome} = await run((cfg) => ({'GET /api/datasources': {body: list(cfg)}, 'GET /api/datasources/uid/prometheus/health': REFUSED, 'GET /api/datasources/uid/loki/health': OK}))
    expect(outcome).toMatchObject({status: 'fail', cause: 'datasource_unhealthy'})
    expect(outcome.evidence).toEqual([expect.stringMatching(/^GET \/api\/datasources\/uid\/prometheus\/health: ERROR .*connection refused/)])
    expect(outcome.hint).toBe('see: hydra datasources; then Grafana: Connections > Data sources > Prometheus > Save & test')
  })

  it("unhealthy only because the (optional) service itself is down: not a second failure, the service's check names it", async () => {
    const {outcome} = await run(
      (cfg) => ({'GET /api/datasources': {body: list(cfg)}, 'GET /api/datasources/uid/prometheus/health': OK, 'GET /api/datasources/uid/loki/health': {status: 400, body: {status: 'ERROR', message: 'connection refused'}}}),
      {'health:loki': 'warn'},
    )
    expect(outcome).toMatchObject({status: 'ok', detail: expect.stringContaining('Loki (loki) fails because loki itself does (health:loki)')})
  })

  it('Grafana 8 has no health route: only the addresses are compared, and it says so', async () => {
    const {outcome, seen} = await run((cfg) => ({'GET /api/health': {body: {database: 'ok', version: '8.5.0'}}, 'GET /api/datasources': {body: list(cfg)}}))
    expect(outcome).toMatchObject({status: 'ok', detail: expect.stringContaining('not health-checked (Grafana 8.5.0 has no data-source health route; it came in 9.0)')})
    expect(seen.some((s) => s.endsWith('/health') && s.includes('datasources'))).toBe(false)
  })

  it('a token without datasources:read (a Viewer): permission_denied naming the permission and the role', async () => {
    const {outcome} = await run(() => ({'GET /api/datasources': {status: 403, body: {accessErrorId: 'ACE1', message: "You'll need additional permissions to perform this action. Permissions needed: datasources:read", title: 'Access denied'}}}))
    expect(outcome).toMatchObject({status: 'fail', cause: 'permission_denied'})
    expect(outcome.hint).toMatch(/lacks datasources:read: give the service account the Admin role/)
    expect(JSON.stringify(outcome)).not.toContain('glsa_unit_token')
  })
})
