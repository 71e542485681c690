/**
 * A fault-injecting HTTP proxy for the lab (issue 10): it listens on its own address:port and
 * forwards every request to an upstream server — the REAL Prometheus or Alertmanager, or a
 * stand-in — unless a fault is set. A hydra config pointed at the proxy then sees the fault as it
 * would from a real server that misbehaves, on the real server's own answers otherwise.
 *
 *   const p = await startFaultProxy({host: '127.0.0.2', port: 19090, upstream: 'http://127.0.0.2:9090'})
 *   p.setFault('hang')                           // or {kind: 'slow', delayMs: 1500}, 'html200', …
 *   … hydra … ; await p.stop()
 *
 * Faults (what an operator meets on real clusters):
 *   refuse      the port is closed: connect() gets ECONNREFUSED
 *   blackhole   SYNs are dropped (a REAL iptables DROP rule for this address:port in the lab's
 *               namespace): connect() times out, as for a host that is down or firewalled
 *   hang        accepts and reads the request, never answers (a stuck service)
 *   slow        answers, but only after delayMs (default 1500 ms)
 *   status500 / status503 / status401 / status403   that status, with the body a reverse proxy sends
 *   html200     200 with an HTML login page (an SSO proxy in front of the service)
 *   truncated   the upstream's status and headers, Content-Length of the whole body, half of it, then close
 *   empty200    200 with an empty body
 */
import {spawnSync} from 'node:child_process'
import {createServer, request, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {Socket} from 'node:net'

import {assertIsolatedNetns} from './netns.js'

export const FAULT_KINDS = [
  'refuse',
  'blackhole',
  'hang',
  'slow',
  'status500',
  'status503',
  'html200',
  'truncated',
  'empty200',
  'status401',
  'status403',
] as const
export type ProxyFaultKind = (typeof FAULT_KINDS)[number]

export interface ProxyFault {
  kind: ProxyFaultKind
  /** slow: how long before the answer (default 1500 ms) */
  delayMs?: number
  /** only requests whose path starts with one of these (default: every path) */
  paths?: string[]
}

export interface FaultProxyOptions {
  host: string
  port: number
  /** e.g. http://127.0.0.2:9090 */
  upstream: string
  name?: string
  fault?: ProxyFault | ProxyFaultKind
}

export const LOGIN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Authelia</title></head>
<body><form method="post" action="/api/firstfactor"><input name="username"><input name="password" type="password">
<button type="submit">Sign in</button></form></body></html>
`

const STATUS_BODY: Record<number, {body: string; type: string}> = {
  500: {body: '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n', type: 'text/html'},
  503: {body: '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n', type: 'text/html'},
  401: {body: '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n', type: 'text/html'},
  403: {body: '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n', type: 'text/html'},
}

function iptablesDrop(action: '-I' | '-D', host: string, port: number): void {
  const args = ['-w', '5', action, 'INPUT', '-p', 'tcp', '-d', `${host}/32`, '--dport', String(port), '-m', 'comment', '--comment', 'hydra-lab-fault-proxy', '-j', 'DROP']
  const r = spawnSync('iptables', args, {encoding: 'utf8'})
  if (action === '-I' && (r.error || r.status !== 0))
    throw new Error(`fault proxy: iptables ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`)
}

export class FaultProxy {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly upstream: URL
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private fault?: ProxyFault
  private dropping = false
  /** requests seen (for tests: did hydra ask at all?) */
  requests = 0

  constructor(options: FaultProxyOptions) {
    this.name = options.name ?? `proxy@${options.host}:${options.port}`
    this.host = options.host
    this.port = options.port
    this.upstream = new URL(options.upstream)
    if (options.fault) this.fault = typeof options.fault === 'string' ? {kind: options.fault} : options.fault
  }

  get url(): string {
    return `http://${this.host}:${this.port}`
  }

  async start(): Promise<void> {
    assertIsolatedNetns()
    if (this.fault?.kind === 'blackhole') this.setDrop(true)
    if (this.fault?.kind === 'refuse' || this.server?.listening) return
    const server = createServer((req, res) => this.handle(req, res))
    server.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    server.keepAliveTimeout = 1000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, this.host, () => resolve())
    })
    this.server = server
  }

  async stop(): Promise<void> {
    this.setDrop(false)
    const server = this.server
    this.server = undefined
    if (!server) return
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  async setFault(fault: ProxyFault | ProxyFaultKind | undefined): Promise<void> {
    this.fault = typeof fault === 'string' ? {kind: fault} : fault
    this.setDrop(this.fault?.kind === 'blackhole')
    if (this.fault?.kind === 'refuse') await this.stop()
    else await this.start()
  }

  private setDrop(on: boolean): void {
    if (on === this.dropping) return
    iptablesDrop(on ? '-I' : '-D', this.host, this.port)
    this.dropping = on
  }

  private applies(req: IncomingMessage): boolean {
    const paths = this.fault?.paths
    return paths === undefined || paths.some((p) => (req.url ?? '/').startsWith(p))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++
    const fault = this.applies(req) ? this.fault : undefined
    switch (fault?.kind) {
      case 'hang':
        // read the request, never answer; the socket dies when the client gives up or we stop
        req.resume()
        return
      case 'slow':
        setTimeout(() => this.forward(req, res), fault.delayMs ?? 1500).unref()
        return
      case 'status500':
      case 'status503':
      case 'status401':
      case 'status403': {
        const status = Number(fault.kind.slice('status'.length))
        const {body, type} = STATUS_BODY[status]!
        req.resume()
        res.writeHead(status, {'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), Server: 'nginx', ...(status === 401 ? {'WWW-Authenticate': 'Basic realm="monitoring"'} : {})})
        res.end(body)
        return
      }
      case 'html200':
        req.resume()
        res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(LOGIN_PAGE))})
        res.end(LOGIN_PAGE)
        return
      case 'empty200':
        req.resume()
        res.writeHead(200, {'Content-Length': '0'})
        res.end()
        return
      case 'truncated':
        this.forward(req, res, true)
        return
      default:
        this.forward(req, res)
    }
  }

  private forward(req: IncomingMessage, res: ServerResponse, truncate = false): void {
    const headers = {...req.headers, host: this.upstream.host}
    const up = request(
      {host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers, timeout: 30_000},
      (upRes) => {
        if (!truncate) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers)
          upRes.pipe(res)
          return
        }
        const chunks: Buffer[] = []
        upRes.on('data', (c: Buffer) => chunks.push(c))
        upRes.on('end', () => {
          const body = Buffer.concat(chunks)
          const {'transfer-encoding': _te, 'content-length': _cl, ...rest} = upRes.headers
          res.writeHead(upRes.statusCode ?? 200, {...rest, 'Content-Length': String(Math.max(body.length, 2))})
          res.write(body.subarray(0, Math.floor(body.length / 2)))
          // then the connection drops mid-body
          setTimeout(() => res.socket?.destroy(), 20).unref()
        })
      },
    )
    up.on('timeout', () => up.destroy(new Error('upstream timeout')))
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, {'Content-Type': 'text/plain'})
      res.end('fault proxy: upstream unreachable\n')
    })
    req.pipe(up)
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const p = new FaultProxy(options)
  await p.start()
  return p
}
