/**
 * The base of every stand-in: a small node:http server for a service that has no Debian package,
 * speaking that service's documented API (api-facts.md), plus the lab's faults.
 *
 * Subclasses register routes in their constructor (`this.get('/api/health', …)`); routes are
 * public so a test-lab extension can add more to an existing stand-in. Unknown paths get the
 * real server's 404 (`notFound`, overridable: Go's `404 page not found`, FastAPI's JSON, …).
 *
 * Faults: a forced status + body, a delay per request, a hang (accept, never answer), and
 * "stopped" (`stop()` closes the listening socket and every open connection, so the port refuses;
 * `start()` reopens it).
 */
import {createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {Socket} from 'node:net'

import type {ComponentStatus, Fault} from '../types.js'

export interface StandinOptions {
  /** component name in the lab, e.g. loki or gpu-exporter@hydra-ai */
  name: string
  /** the lab node it pretends to run on */
  node: string
  host: string
  port: number
}

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** named groups of a RegExp route */
  params: Record<string, string>
}

export type RouteHandler = (ctx: RequestContext) => void | Promise<void>

interface Route {
  methods: Set<string>
  path: string | RegExp
  handler: RouteHandler
}

export const TEXT = 'text/plain; charset=utf-8'
export const JSON_TYPE = 'application/json'
/** what client_golang's promhttp sends for the text exposition format */
export const PROM_TEXT = 'text/plain; version=0.0.4; charset=utf-8'

/** Answer with a complete body. An empty `contentType` sends no Content-Type header (actix's empty 404). */
export function send(res: ServerResponse, status: number, body: string, contentType = TEXT, headers: Record<string, string> = {}): void {
  if (res.headersSent) return
  const buf = Buffer.from(body)
  res.writeHead(status, {...(contentType ? {'Content-Type': contentType} : {}), 'Content-Length': String(buf.length), ...headers})
  res.end(res.req.method === 'HEAD' ? undefined : buf)
}

export function sendJson(res: ServerResponse, status: number, value: unknown, contentType = JSON_TYPE): void {
  send(res, status, JSON.stringify(value), contentType)
}

/** Go's `http.Error`: text/plain, nosniff, and a trailing newline. */
export function goError(res: ServerResponse, status: number, message: string): void {
  send(res, status, `${message}\n`, TEXT, {'X-Content-Type-Options': 'nosniff'})
}

/** Go's net/http NotFound handler. */
export function goNotFound(res: ServerResponse): void {
  goError(res, 404, '404 page not found')
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** The bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  const m = h ? /^Bearer\s+(.+)$/i.exec(h) : null
  return m?.[1]?.trim()
}

export abstract class Standin {
  /** the real server it imitates and the api-facts.md section it follows */
  abstract readonly what: string

  readonly name: string
  readonly node: string
  readonly host: string
  readonly port: number

  private readonly routes: Route[] = []
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private fault?: Fault

  constructor(options: StandinOptions) {
    this.name = options.name
    this.node = options.node
    this.host = options.host
    this.port = options.port
  }

  get url(): string {
    return `http://${this.host}:${this.port}`
  }

  get running(): boolean {
    return this.server?.listening ?? false
  }

  /** A GET route (HEAD is answered by it too, without a body, as Go and Starlette do). */
  get(path: string | RegExp, handler: RouteHandler): this {
    return this.route(['GET', 'HEAD'], path, handler)
  }

  post(path: string | RegExp, handler: RouteHandler): this {
    return this.route(['POST'], path, handler)
  }

  route(methods: string[], path: string | RegExp, handler: RouteHandler): this {
    this.routes.push({methods: new Set(methods.map((m) => m.toUpperCase())), path, handler})
    return this
  }

  /** The real server's answer to an unknown path. Default: Go's net/http. */
  protected notFound(ctx: RequestContext): void {
    goNotFound(ctx.res)
  }

  /** The real server's answer to a known path with the wrong method. Default: Go's net/http. */
  protected methodNotAllowed(ctx: RequestContext): void {
    goError(ctx.res, 405, 'Method Not Allowed')
  }

  /** Knobs a test may change through the control API (`PATCH /components/<name>/state`). */
  getState(): unknown {
    return undefined
  }

  setState(_patch: Record<string, unknown>): void {
    throw new Error(`stand-in ${this.name} has no state to set`)
  }

  /** A hook for a subclass to handle more of the server's events (e.g. WebSocket upgrades). */
  protected attach(_server: Server): void {}

  /** Back to the state it started with (the lab's reset). */
  resetState(): void {}

  setFault(fault: Fault): void {
    this.fault = {...fault}
  }

  clearFault(): void {
    this.fault = undefined
  }

  status(): ComponentStatus {
    const state = this.getState()
    return {
      name: this.name,
      kind: 'standin',
      what: this.what,
      node: this.node,
      address: this.host,
      port: this.port,
      url: this.url,
      running: this.running,
      ...(this.fault ? {fault: {...this.fault}} : {}),
      ...(state === undefined ? {} : {state}),
    }
  }

  async start(): Promise<void> {
    if (this.running) return
    const server = createServer((req, res) => void this.dispatch(req, res))
    // Go servers keep idle connections far longer than node's 5s default; Prometheus reuses them.
    server.keepAliveTimeout = 60_000
    this.attach(server)
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(new Error(`stand-in ${this.name} cannot listen on ${this.host}:${this.port}: ${err.code ?? err.message}`))
      }
      server.once('error', onError)
      server.listen({host: this.host, port: this.port, exclusive: true}, () => {
        server.off('error', onError)
        resolve()
      })
    })
    this.server = server
  }

  /** Close the listening socket and every open connection: the port refuses, as a stopped process's would. */
  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    await closed
  }

  private matches(path: string | RegExp, pathname: string): Record<string, string> | undefined {
    if (typeof path === 'string') return path === pathname ? {} : undefined
    const m = path.exec(pathname)
    return m ? {...m.groups} : undefined
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const ctx: RequestContext = {req, res, url, params: {}}
    try {
      const fault = this.fault
      if (fault && (!fault.paths || fault.paths.includes(url.pathname)) && (!fault.userAgent || (req.headers['user-agent'] ?? '').includes(fault.userAgent))) {
        if (fault.delayMs && fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs))
        if (fault.hang) return // never answer; stop() destroys the socket
        if (fault.status !== undefined) {
          send(res, fault.status, fault.body ?? `${STATUS_CODES[fault.status] ?? 'Error'}\n`, fault.contentType ?? TEXT)
          return
        }
      }
      let pathMatched = false
      for (const r of this.routes) {
        const params = this.matches(r.path, url.pathname)
        if (!params) continue
        pathMatched = true
        if (!r.methods.has(req.method ?? 'GET')) continue
        await r.handler({...ctx, params})
        return
      }
      if (pathMatched) this.methodNotAllowed(ctx)
      else this.notFound(ctx)
    } catch (err) {
      send(res, 500, `stand-in ${this.name} failed: ${err instanceof Error ? err.message : String(err)}\n`)
    }
  }
}
