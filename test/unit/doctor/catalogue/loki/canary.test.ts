/**
 * canary:loki against a small HTTP server on 127.0.0.1 that answers with what real Loki 3.4.2
 * answered (test/fixtures/loki: the canary line read back, a push refused as too old), for each
 * outcome: ok, push refused, push unanswered, the line never readable; and that it is there only
 * with logs.canary: true, after health:loki.
 */
import {readFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CANARY_CHECK_ID, canaryCheck} from '../../../../../src/lib/doctor/catalogue/loki/canary.js'
import {lokiFamily} from '../../../../../src/lib/doctor/catalogue/loki/index.js'
import type {CheckContext} from '../../../../../src/lib/doctor/model.js'
import {buildProbes} from '../../../../../src/lib/health/probes.js'
import type {LokiEndpoint} from '../../../../../src/lib/loki/client.js'
import {labConfig} from '../../../../helpers/lab-config.js'

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/loki/${name}`, import.meta.url), 'utf8')
const CANARY_ANSWER = JSON.parse(fixture('query-range-canary-3.4.2.json')) as {data: {result: {stream: Record<string, string>; values: [string, string][]}[]}}
const TOO_OLD = fixture('push-too-old-3.4.2.txt')

type Mode = 'ok' | 'refuse' | 'never'
let mode: Mode = 'ok'
let pushed: {labels: Record<string, string>; value: [string, string]} | undefined
let server: Server
let url = ''

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.url === '/ready') return void res.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8'}).end('ready\n')
  if (req.url?.startsWith('/loki/api/v1/push')) {
    if (mode === 'refuse') return void res.writeHead(400, {'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff'}).end(TOO_OLD)
    const doc = JSON.parse(body) as {streams: {stream: Record<string, string>; values: [string, string][]}[]}
    pushed = {labels: doc.streams[0]!.stream, value: doc.streams[0]!.values[0]!}
    return void res.writeHead(204).end()
  }
  if (req.url?.startsWith('/loki/api/v1/query_range')) {
    // the captured answer, carrying the line that was pushed (Loki 3 adds detected_level and service_name)
    const result = mode === 'never' || !pushed ? [] : [{...CANARY_ANSWER.data.result[0]!, stream: {...CANARY_ANSWER.data.result[0]!.stream, hydra_canary: pushed.labels.hydra_canary!}, values: [pushed.value]}]
    return void res.writeHead(200, {'Content-Type': 'application/json; charset=UTF-8'}).end(JSON.stringify({...CANARY_ANSWER, data: {...CANARY_ANSWER.data, result}}))
  }
  res.writeHead(404).end('404 page not found\n')
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => answer(req, res, body))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((r) => server.close(r))
})

const endpoint = (over: Partial<LokiEndpoint> = {}): LokiEndpoint => ({id: 'loki', baseUrl: url, headers: {}, timeoutMs: 2000, required: true, tenant: 'hydra', ...over})
const ctx = (): CheckContext => ({cfg: labConfig(), signal: AbortSignal.timeout(10_000), resources: {} as CheckContext['resources'], outcomeOf: () => undefined})

describe('canary:loki', () => {
  it('is in the doctor only with logs.canary: true, after health:loki', () => {
    const ids = (cfg: ReturnType<typeof labConfig>) => lokiFamily.checks(cfg, buildProbes(cfg)).map((c) => c.id)
    expect(ids(labConfig())).not.toContain(CANARY_CHECK_ID)
    const on = labConfig((doc) => (doc.logs = {...doc.logs, canary: true}))
    expect(ids(on)).toContain(CANARY_CHECK_ID)
    const check = lokiFamily.checks(on, buildProbes(on)).find((c) => c.id === CANARY_CHECK_ID)!
    expect(check).toMatchObject({kind: 'canary', group: 'loki', dependsOn: ['health:loki']})
    expect(lokiFamily.kinds).toContain('canary')
  })

  it('ok: the line pushed comes back, with the latencies', async () => {
    mode = 'ok'
    const outcome = await canaryCheck(endpoint()).run(ctx())
    expect(outcome.status).toBe('ok')
    expect(outcome.detail).toMatch(/^pushed in \d+ ms, read back from http:\/\/127\.0\.0\.1:\d+ after \d+ ms$/)
    expect(outcome.evidence?.[0]).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/push \{hydra_canary="[^"]+"\} \(X-Scope-OrgID hydra\): 204$/)
  })

  it("push refused: Loki's own words, as evidence", async () => {
    mode = 'refuse'
    const outcome = await canaryCheck(endpoint()).run(ctx())
    expect(outcome).toMatchObject({status: 'fail', cause: 'canary_push_refused'})
    expect(outcome.detail).toContain('rejected the push: entry for stream')
    expect(outcome.detail).toContain('has timestamp too old')
    expect(outcome.evidence?.[0]).toContain('has timestamp too old')
    expect(outcome.hint).toContain("log shippers' pushes are refused too")
  })

  it('a write path of its own that does not answer: push unanswered, not Loki down', async () => {
    mode = 'ok'
    const outcome = await canaryCheck(endpoint({pushUrl: 'http://127.0.0.1:9'})).run(ctx())
    expect(outcome).toMatchObject({status: 'fail', cause: 'canary_push_unreachable'})
    expect(outcome.detail).toContain('the push to http://127.0.0.1:9 got no answer')
  })

  it('the line never comes back: not readable within the wait, the push itself answered 204', async () => {
    mode = 'never'
    const outcome = await canaryCheck(endpoint(), 600).run(ctx())
    expect(outcome).toMatchObject({status: 'fail', cause: 'canary_not_readable'})
    expect(outcome.evidence?.[0]).toMatch(/: 204 in \d+ ms$/)
    expect(outcome.evidence?.[1]).toMatch(/not there after \d+ queries in 600ms/)
    expect(outcome.hint).toContain('ingester ring')
  })
})
