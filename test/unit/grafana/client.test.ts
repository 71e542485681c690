/** The Grafana client against a loopback fake Grafana: paging, auth refusals → AuthError (exit 4), error mapping. */
import type {Server} from 'node:http'

import {afterEach, describe, expect, it} from 'vitest'

import {AuthError, OperationError, UserError} from '../../../src/lib/errors.js'
import type {HttpFailure} from '../../../src/lib/clients/http/index.js'
import {DashboardNotFoundError, GrafanaClient, withGrafanaMessage} from '../../../src/lib/grafana/client.js'
import {configFor, fakeGrafana, TOKEN_ENV, type Routes} from '../../helpers/fake-grafana.js'

let server: Server | undefined
let client: GrafanaClient | undefined
afterEach(async () => {
  await client?.close()
  server?.close()
  client = undefined
  server = undefined
})

async function grafana(routes: Routes) {
  const fake = await fakeGrafana(routes)
  server = fake.server
  const cfg = configFor(fake.url)
  client = new GrafanaClient(cfg.grafana!)
  return {client, seen: fake.seen}
}

/** What a call rejects with (the test fails if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  const outcome = await p.then(
    () => ({resolved: true as const}),
    (error: unknown) => ({resolved: false as const, error}),
  )
  expect(outcome.resolved).toBe(false)
  return (outcome as {error: unknown}).error
}

describe('GrafanaClient.searchDashboards: every page', () => {
  it('asks page after page until a short page, and keeps only dashboards', async () => {
    const all = Array.from({length: 7}, (_, i) => ({uid: `d${i}`, title: `Dash ${i}`, type: 'dash-db', folderUid: i % 2 ? 'f1' : ''}))
    const pages: string[] = []
    const {client} = await grafana({
      'GET /api/search': (url) => {
        const page = Number(url.searchParams.get('page'))
        const limit = Number(url.searchParams.get('limit'))
        pages.push(`${url.searchParams.get('type')} ${page}x${limit}`)
        const hits: unknown[] = all.slice((page - 1) * limit, page * limit)
        // a folder hit slipping through (a server that ignores type=dash-db) is not a dashboard
        if (page === 1) hits.push({uid: 'f1', title: 'A folder', type: 'dash-folder'})
        return {body: hits}
      },
    })
    const hits = []
    for await (const h of client.searchDashboards(3)) hits.push(h)
    expect(hits.map((h) => h.uid)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'])
    expect(hits[1]).toEqual({uid: 'd1', title: 'Dash 1', folderUid: 'f1'})
    expect(hits[0]).toEqual({uid: 'd0', title: 'Dash 0'})
    expect(pages).toEqual(['dash-db 1x3', 'dash-db 2x3', 'dash-db 3x3'])
  })

  it('an answer that is not a list of hits is named, not taken for "no dashboards"', async () => {
    const {client} = await grafana({'GET /api/search': {body: {message: 'login page'}}})
    const error = await rejection(client.checkAccess().then(async () => {
      for await (const _ of client.searchDashboards(3)) void _
    }))
    expect(error).toBeInstanceOf(OperationError)
    expect((error as OperationError).code).toBe('grafana_unexpected_answer')
  })
})

describe('GrafanaClient: a refused credential is one AuthError (exit 4), whatever the call', () => {
  it('401 → grafana_unauthorized, naming the credential by reference, never its value', async () => {
    const {client} = await grafana({'GET /api/search': {status: 401, body: {message: 'invalid API key'}}})
    const error = await rejection(client.checkAccess())
    expect(error).toBeInstanceOf(AuthError)
    const e = error as AuthError
    expect(e.exitCode).toBe(4)
    expect(e.code).toBe('grafana_unauthorized')
    expect(e.message).toContain(TOKEN_ENV)
    expect(e.message).toContain('HTTP 401: invalid API key')
    expect(e.message).not.toContain('glsa_unit_token')
    expect(e.hint).toMatch(/service-account token/)
  })

  it("403 with Grafana's RBAC words → grafana_forbidden, naming the permission and the role that holds it", async () => {
    const {client} = await grafana({
      'GET /api/dashboards/uid/abc': {status: 403, body: {message: 'You\'ll need additional permissions to perform this action. Permissions needed: dashboards:read'}},
    })
    const error = await rejection(client.getDashboard('abc'))
    expect(error).toBeInstanceOf(AuthError)
    const e = error as AuthError
    expect(e.exitCode).toBe(4)
    expect(e.code).toBe('grafana_forbidden')
    expect(e.hint).toBe('the credential works but lacks dashboards:read: give the service account the Viewer role (Administration > Service accounts)')
    expect(e.details).toMatchObject({status: 403, permission: 'dashboards:read'})
  })

  it('a refused write (POST /api/dashboards/db) is the same AuthError', async () => {
    const {client} = await grafana({'POST /api/dashboards/db': {status: 403, body: {message: 'Access denied'}}})
    const error = await rejection(client.saveDashboard({dashboard: {uid: 'x', title: 'X'}, overwrite: false, message: 'unit'}))
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).code).toBe('grafana_forbidden')
  })
})

describe('GrafanaClient: other answers, mapped', () => {
  it("Grafana's own 404 is a dashboard that is gone; another 404 (a proxy, a wrong prefix) is a failure", async () => {
    const {client} = await grafana({
      'GET /api/dashboards/uid/gone': {status: 404, body: {message: 'Dashboard not found', status: 'not-found'}},
      'GET /api/dashboards/uid/elsewhere': {status: 404, body: '<html>nginx</html>'},
    })
    expect(await rejection(client.getDashboard('gone'))).toBeInstanceOf(DashboardNotFoundError)
    const other = await rejection(client.getDashboard('elsewhere'))
    expect(other).toBeInstanceOf(OperationError)
    expect(other).not.toBeInstanceOf(DashboardNotFoundError)
    expect((other as OperationError).code).toBe('grafana_http_404')
  })

  it('a uid that cannot be put in a URL is refused before any request', async () => {
    const {client, seen} = await grafana({})
    const error = await rejection(client.getDashboard('..'))
    expect((error as OperationError).code).toBe('grafana_uid_unaddressable')
    expect(seen).toEqual([])
  })

  it('422 is Grafana rejecting what hydra asked: a usage error (exit 2) with its words', async () => {
    const {client} = await grafana({'GET /api/folders': {status: 422, body: {message: 'parentUid is not valid'}}})
    const error = await rejection(client.apiJson('/api/folders'))
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).message).toBe('Grafana rejected /api/folders: parentUid is not valid')
  })

  it('health: 503 with a failing database is an unhealthy Grafana (exit 1), not an error of hydra', async () => {
    const {client} = await grafana({'GET /api/health': {status: 503, body: {database: 'failing', version: '11.3.0'}}})
    const error = await rejection(client.health())
    expect(error).toBeInstanceOf(OperationError)
    expect((error as OperationError).code).toBe('grafana_unhealthy')
    expect((error as OperationError).exitCode).toBe(1)
  })

  it("a 500 with Grafana's JSON error: its message in the error, not the raw JSON (health and the API alike)", async () => {
    const {client} = await grafana({'GET /api/health': {status: 500, body: {message: 'database is locked'}}, 'GET /api/search': {status: 500, body: {message: 'database is locked'}}})
    const health = (await rejection(client.health())) as HttpFailure
    expect(health.message).toBe(`GET ${client.baseUrl}/api/health: Grafana answered 500: database is locked`)
    expect(health).toMatchObject({code: 'http_status', exitCode: 1, status: 500, failure: 'http_status'})
    const all = async () => {
      for await (const hit of client.searchDashboards()) void hit
    }
    const search = (await rejection(all())) as HttpFailure
    expect(search.message).toMatch(/\/api\/search\S*: Grafana answered 500: database is locked$/)
  })

  it('a bad status without a JSON message keeps the transport\'s words', async () => {
    const {client} = await grafana({'GET /api/health': {status: 500, body: 'upstream gone'}})
    expect(((await rejection(client.health())) as HttpFailure).message).toMatch(/: HTTP 500 Internal Server Error: upstream gone$/)
    expect(withGrafanaMessage(new Error('x'))).toBeInstanceOf(Error)
  })
})
