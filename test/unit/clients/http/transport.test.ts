import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {
  classifyError,
  clientForEndpoint,
  HttpClient,
  type HttpClientOptions,
  HttpAuthError,
  HttpError,
  httpError,
  type HttpFailure,
  type HttpResponse,
  isHttpError,
  parseJsonBody,
  withSharedConnections,
} from '../../../../src/lib/clients/http/index.js'
import {AuthError, ExitCode, UserError} from '../../../../src/lib/errors.js'
import {flattenHeaders} from '../../../../src/lib/clients/http/transport.js'
import {forgetSecrets, registerSecret} from '../../../../src/lib/secrets.js'

// ---- local servers (127.0.0.1, port 0 only) -------------------------------------------------

interface Local {
  url: string
  port: number
  close(): Promise<void>
}

const cleanups: Array<() => Promise<void>> = []
const clients: HttpClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

function track<S extends net.Server>(server: S, scheme: 'http' | 'https'): Promise<Local> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      const close = (): Promise<void> =>
        new Promise((res) => {
          for (const s of sockets) s.destroy()
          server.close(() => res())
        })
      cleanups.push(close)
      resolve({url: `${scheme}://127.0.0.1:${port}`, port, close})
    })
  })
}

function serve(handler: http.RequestListener): Promise<Local> {
  return track(http.createServer(handler), 'http')
}

/** accepts TCP connections and never says a word */
function silentServer(): Promise<Local> {
  return track(net.createServer(() => {}), 'http')
}

async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const {port} = server.address() as net.AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

function client(options: Partial<HttpClientOptions> & {baseUrl: string}): HttpClient {
  const c = new HttpClient({timeoutMs: 3000, ...options})
  clients.push(c)
  return c
}

async function failure(p: Promise<unknown>): Promise<HttpFailure> {
  try {
    await p
  } catch (error) {
    if (isHttpError(error)) return error
    throw error
  }
  throw new Error('expected an HttpError, the call succeeded')
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

// ---- tests ----------------------------------------------------------------------------------

describe('HttpClient: success paths', () => {
  it('GETs JSON, keeps the base path prefix, sends a user agent', async () => {
    let seen: {url?: string; ua?: string; accept?: string} = {}
    const srv = await serve((req, res) => {
      seen = {url: req.url, ua: req.headers['user-agent'], accept: req.headers.accept}
      json(res, 200, {status: 'success', data: [1, 2]})
    })
    const c = client({baseUrl: `${srv.url}/prefix/`})
    expect(c.baseUrl).toBe(`${srv.url}/prefix`)
    const body = await c.getJson<{status: string; data: number[]}>('/api/v1/x')
    expect(body).toEqual({status: 'success', data: [1, 2]})
    expect(seen.url).toBe('/prefix/api/v1/x')
    expect(seen.ua).toMatch(/^hydra\/\d+\.\d+\.\d+/)
    expect(seen.accept).toBe('application/json')
  })

  it('returns status, reason, lower-case headers and text', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'X-Thing': 'yes', 'content-type': 'text/plain'})
      res.end('Prometheus Server is Ready.\n')
    })
    const res = await client({baseUrl: srv.url}).get('/-/ready')
    expect(res.status).toBe(200)
    expect(res.statusText).toBe('OK')
    expect(res.headers['x-thing']).toBe('yes')
    expect(res.text()).toBe('Prometheus Server is Ready.\n')
    expect(res.url).toBe(`${srv.url}/-/ready`)
    expect(res.elapsedMs).toBeGreaterThanOrEqual(0)
  })

  it("a response's URL leaves out the base URL's credentials and any known secret", async () => {
    const srv = await serve((_req, res) => json(res, 200, {}))
    registerSecret('pa55word')
    try {
      const res = await client({baseUrl: srv.url.replace('http://', 'http://user:pa55word@')}).get('/x?token=pa55word')
      expect(res.url).toBe(`${srv.url}/x?token=***`)
      expect((await client({baseUrl: srv.url}).get('/y', {query: {token: 'pa55word'}})).url).toBe(`${srv.url}/y?token=***`)
    } finally {
      forgetSecrets()
    }
  })

  it("one call's headers and JSON content type do not stay for the next call", async () => {
    const seen: http.IncomingHttpHeaders[] = []
    const srv = await serve((req, res) => {
      seen.push(req.headers)
      req.resume()
      req.on('end', () => json(res, 200, {}))
    })
    const c = client({baseUrl: srv.url, headers: {'X-Org': '2'}})
    await c.postJson('/a', {json: {a: 1}, headers: {'X-Once': 'yes'}})
    await c.get('/b')
    expect(seen[0]).toMatchObject({'x-org': '2', 'x-once': 'yes', 'content-type': 'application/json'})
    expect(seen[1]!['x-org']).toBe('2')
    expect(seen[1]!['x-once']).toBeUndefined()
    expect(seen[1]!['content-type']).toBeUndefined()
  })

  it('a body sent in many pieces arrives whole', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/octet-stream'})
      let i = 0
      const more = (): void => {
        if (i === 20) return void res.end()
        res.write(Buffer.alloc(1000, 97 + (i++ % 26)), () => setImmediate(more))
      }
      more()
    })
    const res = await client({baseUrl: srv.url}).get('/')
    expect(res.body.length).toBe(20_000)
    expect(res.body.subarray(19_000).every((b) => b === 97 + 19)).toBe(true)
  })

  it('an informational 1xx (103 Early Hints) before the answer is passed over: the final status, headers and body are the response', async () => {
    const srv = await serve((_req, res) => {
      res.writeEarlyHints({link: '</style.css>; rel=preload; as=style'})
      res.writeHead(200, {'content-type': 'application/json', 'x-final': 'yes'})
      res.end('{"ok":true}')
    })
    const res = await client({baseUrl: srv.url}).get('/')
    expect(res.status).toBe(200)
    expect(res.headers['x-final']).toBe('yes')
    expect(res.headers.link).toBeUndefined()
    expect(parseJsonBody(res)).toEqual({ok: true})
  })

  it('repeats array query params and drops undefined ones', async () => {
    let query: URLSearchParams | undefined
    const srv = await serve((req, res) => {
      query = new URL(req.url!, 'http://x').searchParams
      json(res, 200, {})
    })
    await client({baseUrl: srv.url}).getJson('/api/v1/series', {
      query: {'match[]': ['up{job="node"}', 'process_start_time_seconds'], limit: 5, stats: true, skip: undefined},
    })
    expect(query!.getAll('match[]')).toEqual(['up{job="node"}', 'process_start_time_seconds'])
    expect(query!.get('limit')).toBe('5')
    expect(query!.get('stats')).toBe('true')
    expect(query!.has('skip')).toBe(false)
  })

  it('POSTs JSON and forms with their content types', async () => {
    const got: Array<{type?: string; body: string; method?: string}> = []
    const srv = await serve((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        got.push({type: req.headers['content-type'], body, method: req.method})
        json(res, 200, {ok: true})
      })
    })
    const c = client({baseUrl: srv.url})
    expect(await c.postJson('/api/dashboards/db', {json: {dashboard: {uid: 'a'}, overwrite: true}})).toEqual({ok: true})
    await c.postJson('/api/v1/query', {form: {query: 'up', 'match[]': ['a', 'b']}})
    expect(got[0]).toEqual({type: 'application/json', body: '{"dashboard":{"uid":"a"},"overwrite":true}', method: 'POST'})
    expect(got[1]).toEqual({type: 'application/x-www-form-urlencoded', body: 'query=up&match%5B%5D=a&match%5B%5D=b', method: 'POST'})
  })

  it('postJson on 204 No Content gives undefined', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(204)
      res.end()
    })
    expect(await client({baseUrl: srv.url}).postJson('/api/v1/admin/tsdb/clean_tombstones')).toBeUndefined()
  })

  it("okStatus 'any' returns any status without throwing; a list accepts those statuses", async () => {
    const srv = await serve((_req, res) => json(res, 500, {status: 'error', error: 'admin APIs disabled'}))
    const c = client({baseUrl: srv.url})
    const res = await c.request('POST', '/api/v1/admin/tsdb/snapshot', {okStatus: 'any'})
    expect(res.status).toBe(500)
    expect(res.statusText).toBe('Internal Server Error')
    expect(parseJsonBody(res)).toEqual({status: 'error', error: 'admin APIs disabled'})
    expect((await c.request('POST', '/x', {okStatus: [500]})).status).toBe(500)
  })

  it('clientForEndpoint takes base URL, headers and timeout from the resolved endpoint', async () => {
    let tenant: string | undefined
    const srv = await serve((req, res) => {
      tenant = req.headers['x-scope-orgid'] as string
      res.end('ready')
    })
    const c = clientForEndpoint(
      {id: 'loki', baseUrl: srv.url, headers: {'X-Scope-OrgID': 'hydra'}, timeoutMs: 2000, required: true},
      {retries: 0},
    )
    clients.push(c)
    expect(await c.getText('/ready')).toBe('ready')
    expect(tenant).toBe('hydra')
  })
})

describe('HttpClient: transport failures', () => {
  it('refused: a closed port on 127.0.0.1', async () => {
    const port = await closedPort()
    const e = await failure(client({baseUrl: `http://127.0.0.1:${port}`}).get('/-/ready'))
    expect(e.failure).toBe('refused')
    expect(e.code).toBe('http_refused')
    expect(e.summary).toBe('connection refused')
    expect(e.message).toBe(`GET http://127.0.0.1:${port}/-/ready: connection refused`)
    expect(e.exitCode).toBe(ExitCode.FAILURE)
  })

  it('timeout: a server that accepts and never answers fails within the budget', async () => {
    const srv = await silentServer()
    const budget = 700
    const t0 = Date.now()
    const e = await failure(client({baseUrl: srv.url, timeoutMs: budget}).get('/-/ready'))
    const elapsed = Date.now() - t0
    expect(e.failure).toBe('timeout')
    expect(e.summary).toMatch(/^timed out after 700ms/)
    // bounds that tell a budget kept from one ignored or misread (10 s, or 0.7 ms), not a stopwatch:
    // on a loaded 2-core machine timers fire late, and undici's coarse timers fired up to 180 ms early
    expect(elapsed).toBeLessThan(budget + 1500)
    expect(elapsed).toBeGreaterThanOrEqual(budget * 0.5)
  })

  it('timeout: a per-call timeoutMs overrides the client budget', async () => {
    const srv = await silentServer()
    const t0 = Date.now()
    const e = await failure(client({baseUrl: srv.url, timeoutMs: 10_000}).get('/', {timeoutMs: 300}))
    expect(e.failure).toBe('timeout')
    expect(Date.now() - t0).toBeLessThan(2000) // the per-call 300 ms, not the client's 10 s
  })

  it('timeout: headers sent, then the body stalls', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json', 'content-length': 100})
      res.write('{"status":')
    })
    const t0 = Date.now()
    const e = await failure(client({baseUrl: srv.url, timeoutMs: 700}).getJson('/api/v1/targets'))
    expect(e.failure).toBe('timeout')
    expect(e.summary).toContain('reading the body')
    expect(Date.now() - t0).toBeLessThan(2500) // the 700 ms budget, not a hang
  })

  it('timeout: an external AbortSignal cancels the call', async () => {
    const srv = await silentServer()
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 200)
    const t0 = Date.now()
    const e = await failure(client({baseUrl: srv.url, timeoutMs: 10_000}).get('/', {signal: ac.signal}))
    expect(e.failure).toBe('timeout')
    expect(e.summary).toContain('cancelled')
    expect(Date.now() - t0).toBeLessThan(2000) // the signal at 200 ms, not the client's 10 s
  })

  it('timeout: an already-aborted signal fails at once', async () => {
    const srv = await silentServer()
    const e = await failure(client({baseUrl: srv.url}).get('/', {signal: AbortSignal.abort()}))
    expect(e.failure).toBe('timeout')
  })

  it('truncated: Content-Length not met, then the socket is destroyed', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json', 'content-length': 1000})
      res.write('{"data":[1,2,3', () => setTimeout(() => res.socket?.destroy(), 20))
    })
    const e = await failure(client({baseUrl: srv.url, retries: 0}).getJson('/'))
    expect(e.failure).toBe('truncated')
    expect(e.summary).toMatch(/cut off: got \d+ of 1000 bytes/)
  })

  it('a chunked body cut off by the server is a failure, never a short success', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.write('{"data":[1,2,3', () => setTimeout(() => res.socket?.destroy(), 20))
    })
    const e = await failure(client({baseUrl: srv.url, retries: 0}).get('/'))
    expect(['reset', 'truncated']).toContain(e.failure)
  })

  it('reset: the server closes the connection without answering', async () => {
    const srv = await track(
      net.createServer((s) => s.once('data', () => s.destroy())),
      'http',
    )
    const e = await failure(client({baseUrl: srv.url, retries: 0}).get('/'))
    expect(e.failure).toBe('reset')
  })

  it('GET is retried after a truncated response', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      if (n === 1) {
        res.writeHead(200, {'content-length': 1000})
        res.write('partial', () => setTimeout(() => res.socket?.destroy(), 20))
        return
      }
      json(res, 200, {ok: n})
    })
    expect(await client({baseUrl: srv.url}).getJson('/')).toEqual({ok: 2})
    expect(n).toBe(2)
  })

  it('too_large: a streamed body over maxBodyBytes aborts', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      const chunk = Buffer.alloc(16 * 1024, 'a')
      for (let i = 0; i < 8; i++) res.write(chunk)
      res.end()
    })
    const e = await failure(client({baseUrl: srv.url, maxBodyBytes: 20_000}).get('/'))
    expect(e.failure).toBe('too_large')
    expect(e.summary).toContain('19.5KiB limit')
  })

  it('too_large: a declared Content-Length over the cap fails before reading', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-length': 10_000_000})
      res.write('x')
    })
    const e = await failure(client({baseUrl: srv.url, maxBodyBytes: 1024}).get('/'))
    expect(e.failure).toBe('too_large')
    expect(e.summary).toContain('declares')
  })

  it('dns: a name under .invalid does not resolve', async () => {
    const e = await failure(client({baseUrl: 'http://nonexistent.invalid:9090', retries: 0}).get('/-/ready'))
    expect(e.failure).toBe('dns')
    expect(e.summary).toContain('nonexistent.invalid')
  })
})

describe('HttpClient: HTTP status and body classification', () => {
  it('http_status: 503 with a body gives status, reason and the first body line', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(503, {'content-type': 'text/plain'})
      res.end('\nSome services are not Running:\nStarting: 1\n')
    })
    const e = await failure(client({baseUrl: srv.url, retries: 0}).getText('/ready'))
    expect(e.failure).toBe('http_status')
    expect(e.code).toBe('http_status')
    expect(e.status).toBe(503)
    expect(e.summary).toBe('HTTP 503 Service Unavailable: Some services are not Running:')
    expect(e.body).toContain('Starting: 1')
    expect(e.contentType).toBe('text/plain')
    expect(e.isAuth()).toBe(false)
  })

  it('http_status: a long first line is trimmed and the body snippet capped at 512 chars', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(400)
      res.end('x'.repeat(2000))
    })
    const e = await failure(client({baseUrl: srv.url}).get('/'))
    expect(e.summary.length).toBeLessThan(240)
    expect(e.body).toHaveLength(512)
  })

  it('http_status: an HTML error page is named by its title', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(502, {'content-type': 'text/html'})
      res.end('<html>\n<head><title>502 Bad Gateway</title></head><body>nginx</body></html>')
    })
    const e = await failure(client({baseUrl: srv.url, retries: 0}).get('/'))
    expect(e.summary).toBe('HTTP 502 Bad Gateway: HTML page "502 Bad Gateway"')
  })

  it('html: an HTML page where JSON was expected, with its title', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'text/html; charset=utf-8'})
      res.end('<!DOCTYPE html>\n<html><head><title>Grafana</title></head><body></body></html>')
    })
    const e = await failure(client({baseUrl: srv.url}).getJson('/api/search'))
    expect(e.failure).toBe('html')
    expect(e.summary).toBe('expected JSON, got an HTML page (Grafana)')
    expect(e.status).toBe(200)
    expect(e.body).toContain('<title>Grafana</title>')
  })

  it('not_json: garbage where JSON was expected', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'text/plain'})
      res.end('no org id\n')
    })
    const e = await failure(client({baseUrl: srv.url}).getJson('/loki/api/v1/labels'))
    expect(e.failure).toBe('not_json')
    expect(e.summary).toBe('expected JSON, got text/plain: no org id')
    expect(e.body).toBe('no org id\n')
  })

  it('parseJsonBody: a document cut off mid-way is truncated; an empty body is not_json', () => {
    const res = (text: string): HttpResponse => ({
      status: 200,
      statusText: 'OK',
      headers: {'content-type': 'application/json'},
      body: Buffer.from(text),
      text: () => text,
      url: 'http://127.0.0.1:1/x',
      elapsedMs: 1,
    })
    expect(parseJsonBody(res('{"a":1}'))).toEqual({a: 1})
    for (const cut of ['{"data":[1,2', '{"data":"abc', '{"a":1,', '[1,2,3']) {
      let caught: unknown
      try {
        parseJsonBody(res(cut))
      } catch (error) {
        caught = error
      }
      expect((caught as HttpFailure).failure, cut).toBe('truncated')
    }
    expect(() => parseJsonBody(res(''))).toThrow(/empty body/)
    expect(() => parseJsonBody(res('{"a":1} trailing'))).toThrow(HttpError)
  })
})

describe('HttpClient: retries', () => {
  it('GET is retried on 503 and then succeeds', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      if (n === 1) {
        res.writeHead(503)
        res.end('Service Unavailable')
        return
      }
      json(res, 200, {status: 'success'})
    })
    expect(await client({baseUrl: srv.url}).getJson('/api/v1/query')).toEqual({status: 'success'})
    expect(n).toBe(2)
  })

  it('GET gives up after `retries` extra attempts', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      res.writeHead(504)
      res.end()
    })
    const e = await failure(client({baseUrl: srv.url, retries: 2}).get('/'))
    expect(e.status).toBe(504)
    expect(n).toBe(3)
  })

  it('POST is never retried', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      res.writeHead(503)
      res.end('Service Unavailable')
    })
    const e = await failure(client({baseUrl: srv.url, retries: 5}).postJson('/api/v1/admin/tsdb/snapshot'))
    expect(e.status).toBe(503)
    expect(n).toBe(1)
  })

  it('retries: 0, 4xx and okStatus covering 503 are not retried', async () => {
    let n = 0
    const srv = await serve((req, res) => {
      n++
      res.writeHead(req.url === '/404' ? 404 : 503)
      res.end()
    })
    const c = client({baseUrl: srv.url})
    await failure(c.get('/503', {retries: 0}))
    expect(n).toBe(1)
    await failure(c.get('/404'))
    expect(n).toBe(2)
    expect((await c.get('/503', {okStatus: [200, 503]})).status).toBe(503)
    expect(n).toBe(3)
  })

  it('refused is not retried and retries never pass the deadline', async () => {
    const port = await closedPort()
    const t0 = Date.now()
    await failure(client({baseUrl: `http://127.0.0.1:${port}`, retries: 5}).get('/'))
    expect(Date.now() - t0).toBeLessThan(1000) // five retries would take at least 1.5 s of backoff

    const srv = await serve((_req, res) => {
      res.writeHead(503)
      res.end()
    })
    const t1 = Date.now()
    const e = await failure(client({baseUrl: srv.url, retries: 50, timeoutMs: 400}).get('/'))
    expect(e.status).toBe(503)
    expect(Date.now() - t1).toBeLessThan(1500) // the 400 ms deadline, not 50 retries
  })
})

describe('HttpClient: auth and redaction', () => {
  const TOKEN = 'tok-SECRET-a1b2c3d4e5'
  const PASSWORD = 'pw-SECRET-z9y8x7'
  beforeAll(() => {
    process.env.HYDRA_TEST_HTTP_TOKEN = TOKEN
    process.env.HYDRA_TEST_HTTP_PASSWORD = PASSWORD
  })
  afterAll(() => {
    delete process.env.HYDRA_TEST_HTTP_TOKEN
    delete process.env.HYDRA_TEST_HTTP_PASSWORD
    forgetSecrets()
  })

  /** answers 200 with the Authorization header it got, or, on /deny, 401 echoing it back */
  async function echoServer(): Promise<{srv: Local; seen: string[]}> {
    const seen: string[] = []
    const srv = await serve((req, res) => {
      const auth = req.headers.authorization ?? ''
      seen.push(auth)
      if (req.url?.startsWith('/deny')) {
        res.writeHead(401, {'content-type': 'text/plain'})
        res.end(`invalid credentials: ${auth}\nsecond line ${auth}`)
        return
      }
      if (req.url?.startsWith('/html')) {
        res.writeHead(200, {'content-type': 'text/html'})
        res.end(`<html><head><title>Login ${auth}</title></head></html>`)
        return
      }
      if (req.url?.startsWith('/garbage')) {
        res.writeHead(200)
        res.end(`not json ${auth}`)
        return
      }
      json(res, 200, {auth})
    })
    return {srv, seen}
  }

  function assertNoSecret(e: HttpFailure, ...secrets: string[]): void {
    const texts = [e.message, e.summary, e.body ?? '', e.url, e.hint ?? '', JSON.stringify(e.toJSON())]
    for (const s of secrets) for (const t of texts) expect(t).not.toContain(s)
  }

  it('bearer: sends the token and never shows it in errors', async () => {
    const {srv, seen} = await echoServer()
    const c = client({baseUrl: srv.url, auth: {type: 'bearer', tokenEnv: 'HYDRA_TEST_HTTP_TOKEN'}})
    expect(await c.getJson('/ok')).toEqual({auth: `Bearer ${TOKEN}`})
    expect(seen[0]).toBe(`Bearer ${TOKEN}`)
    const e = await failure(c.getJson('/deny'))
    expect(e.status).toBe(401)
    expect(e.isAuth()).toBe(true)
    expect(e.exitCode).toBe(ExitCode.AUTH)
    expect(e).toBeInstanceOf(AuthError)
    expect(e).toBeInstanceOf(HttpAuthError)
    expect(e.summary).toBe('HTTP 401 Unauthorized: invalid credentials: Bearer ***')
    assertNoSecret(e, TOKEN)
    for (const path of ['/html', '/garbage']) assertNoSecret(await failure(c.getJson(path)), TOKEN)
  })

  it('basic: sends base64(user:pass) and never shows either form in errors', async () => {
    const {srv, seen} = await echoServer()
    const c = client({baseUrl: srv.url, auth: {username: 'admin', passwordEnv: 'HYDRA_TEST_HTTP_PASSWORD'}})
    const encoded = Buffer.from(`admin:${PASSWORD}`).toString('base64')
    await c.get('/ok')
    expect(seen[0]).toBe(`Basic ${encoded}`)
    const e = await failure(c.get('/deny'))
    // redact() may replace base64(password) inside base64(user:pass) first, leaving base64("admin:") visible
    expect(e.summary).toMatch(/^HTTP 401 Unauthorized: invalid credentials: Basic [A-Za-z0-9+/]*\*\*\*$/)
    assertNoSecret(e, PASSWORD, encoded)
    for (const path of ['/html', '/garbage']) assertNoSecret(await failure(c.getJson(path)), PASSWORD, encoded)
  })

  it('a secret is resolved lazily: a missing env var fails the request, not the constructor', async () => {
    const {srv} = await echoServer()
    const c = client({baseUrl: srv.url, auth: {tokenEnv: 'HYDRA_TEST_HTTP_UNSET_TOKEN'}})
    await expect(c.get('/ok')).rejects.toSatisfy((e) => e instanceof UserError && e.code === 'secret_missing')
  })
})

describe('HttpClient: TLS', () => {
  let dir: string
  let key: Buffer
  let cert: Buffer
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hydra-http-tls-'))
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      {stdio: 'ignore'},
    )
    key = readFileSync(join(dir, 'key.pem'))
    cert = readFileSync(join(dir, 'cert.pem'))
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  async function tlsServer(): Promise<Local> {
    return track(
      https.createServer({key, cert}, (_req, res) => json(res, 200, {tls: true})),
      'https',
    )
  }

  it('a self-signed certificate fails with tls by default', async () => {
    const srv = await tlsServer()
    const e = await failure(client({baseUrl: srv.url}).getJson('/'))
    expect(e.failure).toBe('tls')
    expect(e.summary).toMatch(/^TLS handshake failed: self[- ]signed certificate/)
    expect(e.hint).toContain('tls.caFile')
  })

  it('succeeds with the certificate as caFile', async () => {
    const srv = await tlsServer()
    expect(await client({baseUrl: srv.url, tls: {caFile: join(dir, 'cert.pem')}}).getJson('/')).toEqual({tls: true})
  })

  it('succeeds with insecureSkipVerify', async () => {
    const srv = await tlsServer()
    expect(await client({baseUrl: srv.url, tls: {insecureSkipVerify: true}}).getJson('/')).toEqual({tls: true})
  })

  it('an unreadable caFile is a usage error', async () => {
    const srv = await tlsServer()
    await expect(client({baseUrl: srv.url, tls: {caFile: join(dir, 'missing.pem')}}).get('/')).rejects.toThrow(
      /tls\.caFile: cannot read .*missing\.pem \(ENOENT\)/,
    )
  })

  it('plain HTTP spoken to a TLS port is not mistaken for success', async () => {
    const srv = await tlsServer()
    const e = await failure(client({baseUrl: `http://127.0.0.1:${srv.port}`, retries: 0, timeoutMs: 1000}).get('/'))
    expect(['http_status', 'reset', 'tls']).toContain(e.failure)
  })
})

describe('classifyError', () => {
  const err = (code: string, message = code, extra: Record<string, unknown> = {}): Error =>
    Object.assign(new Error(message), {code, ...extra})

  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['UND_ERR_ABORTED', 'timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ECONNRESET', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'truncated'],
    ['EWHATEVER', 'network'],
  ])('%s → %s', (code, expected) => {
    expect(classifyError(err(code))).toBe(expected)
  })

  it('looks into causes, aggregate errors and abort names', () => {
    expect(classifyError(new TypeError('fetch failed', {cause: err('ECONNREFUSED')}))).toBe('refused')
    expect(classifyError(new AggregateError([err('EHOSTUNREACH')], 'connect failed'))).toBe('unreachable')
    expect(classifyError(new DOMException('aborted', 'AbortError'))).toBe('timeout')
    expect(classifyError(new DOMException('timed out', 'TimeoutError'))).toBe('timeout')
    expect(classifyError(new HttpError({failure: 'html', url: 'http://127.0.0.1/', method: 'GET'}))).toBe('html')
    expect(classifyError('weird')).toBe('network')
    expect(classifyError(err('EPROTO', 'write EPROTO SSL routines:ssl3_get_record:wrong version number'))).toBe('tls')
  })
})

describe('HttpError', () => {
  it('builds message, code and a credential-free URL', () => {
    const e = new HttpError({
      failure: 'unreachable',
      url: 'http://user:pw@127.0.0.1:9090/x',
      method: 'get',
      summary: 'host unreachable',
      elapsedMs: 12.4,
    })
    expect(e.code).toBe('http_unreachable')
    expect(e.url).toBe('http://127.0.0.1:9090/x')
    expect(e.message).toBe('GET http://127.0.0.1:9090/x: host unreachable')
    expect(e.elapsedMs).toBe(12)
    expect(e.toJSON()).toMatchObject({code: 'http_unreachable', details: {failure: 'unreachable', method: 'GET'}})
  })
})

describe('httpError: one auth error type, chosen at construction', () => {
  const init = {failure: 'http_status' as const, url: 'http://127.0.0.1:9090/api', method: 'GET', body: 'no'}
  it.each([401, 403])('HTTP %i is an AuthError with exit 4 and the HTTP fields', (status) => {
    const e = httpError({...init, status})
    expect(e).toBeInstanceOf(AuthError)
    expect(e).not.toBeInstanceOf(HttpError)
    expect(e.exitCode).toBe(ExitCode.AUTH)
    expect(e.code).toBe('http_status')
    expect(e.status).toBe(status)
    expect(e.isAuth()).toBe(true)
    expect(isHttpError(e)).toBe(true)
  })
  it.each([undefined, 400, 404, 500, 503])('status %s is an HttpError with exit 1', (status) => {
    const e = httpError({...init, status})
    expect(e).toBeInstanceOf(HttpError)
    expect(e).not.toBeInstanceOf(AuthError)
    expect(e.exitCode).toBe(ExitCode.FAILURE)
    expect(e.isAuth()).toBe(false)
  })
  it('isHttpError rejects anything else', () => {
    expect(isHttpError(new AuthError('no'))).toBe(false)
    expect(isHttpError(new Error('x'))).toBe(false)
  })
})

describe('withSharedConnections', () => {
  it('clients made inside the scope reuse one keep-alive connection per origin; outside it each client opens its own', async () => {
    let connections = 0
    const raw = http.createServer((_req, res) => res.end('ok'))
    raw.on('connection', () => connections++)
    const local = await track(raw, 'http')
    const twoClients = async () => {
      for (let i = 0; i < 2; i++) {
        const c = new HttpClient({baseUrl: local.url, timeoutMs: 2000})
        await c.get('/')
        await c.close()
        // undici hands the socket back to its pool just after the body ends
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await withSharedConnections(twoClients)
    expect(connections).toBe(1)
    connections = 0
    await twoClients()
    expect(connections).toBe(2)
  })
})

describe('HttpClient.close', () => {
  it('with nothing under way, ends the idle connections without waiting for the server to close its side', async () => {
    const events: string[] = []
    // a keep-alive HTTP server that, told the client is done (FIN), closes its own side only later
    const raw = net.createServer({allowHalfOpen: true}, (socket) => {
      socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=60\r\n\r\nok'))
      socket.on('end', () => {
        events.push('client ended')
        setTimeout(() => {
          events.push('server ended')
          socket.end()
        }, 300)
      })
    })
    const local = await track(raw, 'http')
    const client = new HttpClient({baseUrl: local.url, timeoutMs: 2000})
    expect(await client.getText('/')).toBe('ok')
    await new Promise((resolve) => setImmediate(resolve))
    await client.close()
    events.push('close resolved')
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(events).toContain('client ended')
    // it would otherwise hang on a server that keeps its side open: 'server ended' before 'close resolved'
    expect(events.indexOf('close resolved')).toBeLessThan(events.indexOf('server ended'))
  })

  it('with a request under way, lets it finish before closing', async () => {
    const raw = http.createServer((_req, res) => setTimeout(() => res.end('slow answer'), 150))
    const local = await track(raw, 'http')
    const client = new HttpClient({baseUrl: local.url, timeoutMs: 2000})
    const slow = client.getText('/')
    await new Promise((resolve) => setTimeout(resolve, 30))
    await client.close()
    expect(await slow).toBe('slow answer')
  })
})

describe('flattenHeaders', () => {
  it("keeps undici's object when its names are lower-case and none repeats; otherwise lower-cases and joins", () => {
    const plain = {'content-type': 'application/json', 'content-length': '12'}
    expect(flattenHeaders(plain)).toBe(plain)
    expect(flattenHeaders({'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain'})).toEqual({'set-cookie': 'a=1, b=2', 'content-type': 'text/plain'})
    expect(flattenHeaders({'X-Thing': 'yes', gone: undefined})).toEqual({'x-thing': 'yes'})
  })
})
