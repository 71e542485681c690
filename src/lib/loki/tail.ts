/**
 * `hydra logs --follow`: Loki's tail WebSocket, `GET ws://…/loki/api/v1/tail?query=&limit=&start=&delay_for=`
 * with X-Scope-OrgID on the upgrade request (api-facts.md §10). The first frame carries the history
 * since `start`; later frames the new lines. Frames: {"streams":[{stream, values}], "dropped_entries":[…]}.
 *
 * The client is undici's WebSocket (undici 7; Node 20's global WebSocket is still experimental),
 * which takes headers on the upgrade. A WebSocket error carries no status, so when the upgrade
 * fails a one-line query_range asks the same question and its error (401 no org id, 400 parse
 * error, refused) is the one reported.
 */
import {useBaselineWasmCompiler} from '../clients/http/undici.js'
import {resolveSecret} from '../secrets.js'
import {OperationError} from '../errors.js'
import type {LokiClient} from './client.js'
import {mergeStreams, type LogEntry, type LokiStream} from './logs.js'

export interface TailOptions {
  query: string
  /** history from here (ns); Loki's default is one hour ago */
  startNs: bigint
  /** lines of history at most (Loki's tail limit) */
  limit: number
  /** seconds Loki waits before sending, to order late lines (0–5) */
  delayForS?: number
  signal: AbortSignal
  onEntries: (entries: LogEntry[]) => void
  onDropped?: (count: number) => void
  /** the socket is open (tests, progress) */
  onOpen?: () => void
}

export interface TailResult {
  frames: number
  lines: number
  dropped: number
  /** 'user': the signal ended it; 'server': Loki closed the socket */
  endedBy: 'user' | 'server'
}

interface TailFrame {
  streams?: LokiStream[]
  dropped_entries?: unknown[] | null
}

/** The tail URL for a Loki base URL (http → ws, https → wss, a path prefix kept). Pure. */
export function tailUrl(baseUrl: string, o: Pick<TailOptions, 'query' | 'startNs' | 'limit' | 'delayForS'>): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/loki/api/v1/tail`)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.searchParams.set('query', o.query)
  url.searchParams.set('limit', String(o.limit))
  url.searchParams.set('start', o.startNs.toString())
  if (o.delayForS !== undefined) url.searchParams.set('delay_for', String(o.delayForS))
  return url.toString()
}

function authorization(loki: LokiClient): Record<string, string> {
  const a = loki.endpoint.auth
  if (!a) return {}
  const basic = a.type === 'basic' || (a.type === undefined && (a.passwordEnv !== undefined || a.passwordFile !== undefined || a.username !== undefined))
  if (basic) {
    const password = resolveSecret({env: a.passwordEnv, file: a.passwordFile}, 'loki password')
    return {authorization: `Basic ${Buffer.from(`${a.username ?? ''}:${password}`).toString('base64')}`}
  }
  return {authorization: `Bearer ${resolveSecret({env: a.tokenEnv, file: a.tokenFile}, 'loki bearer token')}`}
}

export async function tailLogs(loki: LokiClient, o: TailOptions): Promise<TailResult> {
  useBaselineWasmCompiler() // before undici's first connection (undici.ts says why)
  const {WebSocket} = await import('undici')
  const url = tailUrl(loki.baseUrl, o)
  const ws = new WebSocket(url, {headers: {...loki.headers, ...authorization(loki)}})
  const result: TailResult = {frames: 0, lines: 0, dropped: 0, endedBy: 'server'}
  let opened = false
  return new Promise<TailResult>((resolve, reject) => {
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      o.signal.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve(result)
    }
    const onAbort = () => {
      result.endedBy = 'user'
      ws.close(1000)
      finish()
    }
    if (o.signal.aborted) return onAbort()
    o.signal.addEventListener('abort', onAbort, {once: true})
    ws.addEventListener('open', () => {
      opened = true
      o.onOpen?.()
    })
    ws.addEventListener('message', (ev) => {
      let frame: TailFrame
      try {
        frame = JSON.parse(typeof ev.data === 'string' ? ev.data : Buffer.from(ev.data as ArrayBuffer).toString('utf8')) as TailFrame
      } catch {
        return finish(new OperationError('loki_tail_frame', `Loki at ${loki.baseUrl} sent a tail frame that is not JSON`))
      }
      result.frames++
      const entries = mergeStreams(frame.streams ?? [], 'forward')
      result.lines += entries.length
      if (entries.length > 0) o.onEntries(entries)
      const dropped = frame.dropped_entries?.length ?? 0
      if (dropped > 0) {
        result.dropped += dropped
        o.onDropped?.(dropped)
      }
    })
    ws.addEventListener('error', () => {
      if (opened) return // a close event follows
      // the upgrade failed: ask the same as a query, whose error says why
      void loki
        .getJson('/loki/api/v1/query_range', {query: o.query, limit: 1, start: o.startNs.toString()}, {query: true, signal: o.signal})
        .then(
          () => finish(new OperationError('loki_tail_refused', `Loki at ${loki.baseUrl} refused the tail WebSocket (${url.replace(/\?.*/, '')}) although it answers queries`, {hint: 'a proxy in front of Loki must pass WebSocket upgrades (Connection: Upgrade) to /loki/api/v1/tail'})),
          (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
        )
    })
    ws.addEventListener('close', (ev) => {
      if (!opened || settled) return
      if (o.signal.aborted) return onAbort()
      finish(
        ev.code === 1000 || ev.code === 1005
          ? undefined
          : new OperationError('loki_tail_closed', `Loki at ${loki.baseUrl} closed the tail (WebSocket code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`, {hint: 'Loki ends a tail on restart or when max_concurrent_tail_requests is reached; run it again'}),
      )
    })
  })
}
