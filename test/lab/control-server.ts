/**
 * The lab's control API: JSON over HTTP on 127.0.0.1:<random port>, so tests running in other
 * processes (vitest workers, a `hydra` child process) can stop servers and inject faults.
 *
 *   GET    /status                          → LabStatus
 *   GET    /components/<name>               → ComponentStatus
 *   POST   /components/<name>/stop          → ComponentStatus (process: SIGTERM by PID; stand-in: port closed)
 *   POST   /components/<name>/start         → ComponentStatus (once it answers again)
 *   PUT    /components/<name>/fault         body: Fault → ComponentStatus (stand-ins only)
 *   DELETE /components/<name>/fault         → ComponentStatus
 *   PATCH  /components/<name>/state         body: stand-in specific knobs → ComponentStatus
 *   DELETE /faults                          → LabStatus (every fault cleared, stopped stand-ins reopened)
 *   POST   /reset                           → LabStatus (faults cleared, everything stopped started again)
 *   POST   /systemctl                       form: state=<node's systemctl state file>, a=<arg>… → the
 *                                           nodes' `systemctl` shim answer (systemctl.ts), text
 *
 * Errors: {"error":"…"} with 400 (bad request), 404 (unknown component or route), 409 (not
 * applicable to that component), 500.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'

import {readBody} from './standins/standin.js'
import {readUnits, shimResponse, systemctl} from './systemctl.js'
import type {ComponentStatus, Fault, LabStatus} from './types.js'

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export interface LabController {
  status(): LabStatus
  componentStatus(name: string): ComponentStatus
  stopComponent(name: string): Promise<ComponentStatus>
  startComponent(name: string): Promise<ComponentStatus>
  setFault(name: string, fault: Fault): ComponentStatus
  clearFault(name: string): ComponentStatus
  setState(name: string, patch: Record<string, unknown>): ComponentStatus
  clearFaults(): Promise<LabStatus>
  reset(): Promise<LabStatus>
}

/** A plain-text answer (the systemctl shim's) rather than JSON. */
class Text {
  constructor(readonly text: string) {}
}

function reply(res: ServerResponse, status: number, value: unknown): void {
  const text = value instanceof Text
  const body = text ? value.text : JSON.stringify(value)
  res.writeHead(status, {'Content-Type': text ? 'text/plain; charset=utf-8' : 'application/json', 'Content-Length': Buffer.byteLength(body)})
  res.end(body)
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req)
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ControlError(400, 'the body is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError(400, 'the body must be a JSON object')
  return value as Record<string, unknown>
}

function parseFault(b: Record<string, unknown>): Fault {
  const f: Fault = {}
  const known = new Set(['status', 'body', 'contentType', 'delayMs', 'hang', 'paths', 'userAgent'])
  for (const k of Object.keys(b)) if (!known.has(k)) throw new ControlError(400, `unknown fault field ${k} (known: ${[...known].join(', ')})`)
  if (b.status !== undefined) {
    if (typeof b.status !== 'number' || !Number.isInteger(b.status) || b.status < 100 || b.status > 599)
      throw new ControlError(400, 'status must be an HTTP status code')
    f.status = b.status
  }
  if (b.body !== undefined) {
    if (typeof b.body !== 'string') throw new ControlError(400, 'body must be a string')
    f.body = b.body
  }
  if (b.contentType !== undefined) {
    if (typeof b.contentType !== 'string') throw new ControlError(400, 'contentType must be a string')
    f.contentType = b.contentType
  }
  if (b.delayMs !== undefined) {
    if (typeof b.delayMs !== 'number' || b.delayMs < 0) throw new ControlError(400, 'delayMs must be a number >= 0')
    f.delayMs = b.delayMs
  }
  if (b.hang !== undefined) {
    if (typeof b.hang !== 'boolean') throw new ControlError(400, 'hang must be a boolean')
    f.hang = b.hang
  }
  if (b.paths !== undefined) {
    if (!Array.isArray(b.paths) || !b.paths.every((p) => typeof p === 'string')) throw new ControlError(400, 'paths must be an array of strings')
    f.paths = b.paths as string[]
  }
  if (b.userAgent !== undefined) {
    if (typeof b.userAgent !== 'string' || b.userAgent === '') throw new ControlError(400, 'userAgent must be a non-empty string')
    f.userAgent = b.userAgent
  }
  return f
}

async function route(lab: LabController, req: IncomingMessage): Promise<[number, unknown]> {
  const url = new URL(req.url ?? '/', 'http://control')
  const method = req.method ?? 'GET'
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)

  if (parts.length === 1 && parts[0] === 'systemctl' && method === 'POST') {
    const form = new URLSearchParams(await readBody(req))
    const state = form.get('state')
    if (!state) throw new ControlError(400, 'state (the node\'s systemctl state file) is required')
    return [200, new Text(shimResponse(await systemctl(lab, readUnits(state), form.getAll('a'))))]
  }

  if (parts.length === 1 && parts[0] === 'status' && method === 'GET') return [200, lab.status()]
  if (parts.length === 1 && parts[0] === 'faults' && method === 'DELETE') return [200, await lab.clearFaults()]
  if (parts.length === 1 && parts[0] === 'reset' && method === 'POST') return [200, await lab.reset()]
  if (parts[0] === 'components' && parts.length >= 2) {
    const name = parts[1]!
    const action = parts.slice(2).join('/')
    if (action === '' && method === 'GET') return [200, lab.componentStatus(name)]
    if (action === 'stop' && method === 'POST') return [200, await lab.stopComponent(name)]
    if (action === 'start' && method === 'POST') return [200, await lab.startComponent(name)]
    if (action === 'fault' && (method === 'PUT' || method === 'POST')) return [200, lab.setFault(name, parseFault(await jsonBody(req)))]
    if (action === 'fault' && method === 'DELETE') return [200, lab.clearFault(name)]
    if (action === 'state' && (method === 'PATCH' || method === 'PUT')) return [200, lab.setState(name, await jsonBody(req))]
  }
  throw new ControlError(404, `no control route ${method} ${url.pathname}`)
}

export interface ControlServer {
  url: string
  close(): Promise<void>
}

export async function startControlServer(lab: LabController): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    route(lab, req).then(
      ([status, value]) => reply(res, status, value),
      (err: unknown) => {
        const status = err instanceof ControlError ? err.status : 500
        reply(res, status, {error: err instanceof Error ? err.message : String(err)})
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: '127.0.0.1', port: 0}, () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('control server has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
