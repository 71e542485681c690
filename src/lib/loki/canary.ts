/**
 * `hydra loki canary`: push one line with a label of its own to Loki's push URL (the write path),
 * then ask the query URL (the read path) for it until it comes back or the timeout passes. The
 * round trip proves what a 200 from /ready cannot: that what is written can be read, across the
 * ring of a Loki split into write/read/backend. It writes one stream per run, so the doctor runs it
 * only when `logs.canary: true`.
 */
import {randomBytes} from 'node:crypto'

import {isHttpError} from '../clients/http/index.js'
import {formatDuration} from '../format.js'
import {ExitCode, HydraError, OperationError, type ExitCodeValue} from '../errors.js'
import type {LokiClient} from './client.js'
import {guardStartup} from './guard.js'
import type {LokiQueryData} from './logs.js'

export const CANARY_LABEL = 'hydra_canary'
export const DEFAULT_CANARY_TIMEOUT_MS = 15_000

export interface CanaryOptions {
  timeoutMs?: number
  /** between read attempts */
  intervalMs?: number
  /** for tests: the label value */
  id?: string
  signal?: AbortSignal
}

/**
 * Why a round trip failed, as data (the doctor's cause): Loki answered the push with an error;
 * the push got no answer; Loki is starting; reading back failed; the line never came back.
 */
export type CanaryFailure = 'push_refused' | 'push_unreachable' | 'loki_starting' | 'read_failed' | 'not_readable'

export interface CanaryResult {
  ok: boolean
  failure?: CanaryFailure
  pushUrl: string
  queryUrl: string
  tenant?: string
  /** the label that marks the line: {hydra_canary="<id>"} */
  selector: string
  line: string
  pushMs: number
  /** push start → the line read back; undefined when it did not come back */
  roundTripMs?: number
  attempts: number
  /** why it failed, when it did */
  cause?: string
  hint?: string
  /** canaryExitCode: 1 when the line did not come back */
  exitCode: ExitCodeValue
}

/** The exit policy of `hydra loki canary`, pure: 1 unless the line came back, whatever the cause. */
export function canaryExitCode(ok: boolean): ExitCodeValue {
  return ok ? ExitCode.OK : ExitCode.FAILURE
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), {once: true})
  })

export async function lokiCanary(loki: LokiClient, options: CanaryOptions = {}): Promise<CanaryResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CANARY_TIMEOUT_MS
  const id = options.id ?? `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
  const selector = `{${CANARY_LABEL}="${id}"}`
  const t0 = performance.now()
  const ns = BigInt(Date.now()) * 1_000_000n
  const line = `hydra canary ${id} pushed ${new Date(Number(ns / 1_000_000n)).toISOString()}`
  const base = {pushUrl: loki.pushBaseUrl, queryUrl: loki.baseUrl, ...(loki.tenant ? {tenant: loki.tenant} : {}), selector, line}
  const failed = (failure: CanaryFailure, cause: string, hint: string | undefined, extra: Partial<CanaryResult>): CanaryResult => ({
    ok: false,
    failure,
    ...base,
    pushMs: 0,
    attempts: 0,
    ...extra,
    cause,
    ...(hint ? {hint} : {}),
    exitCode: canaryExitCode(false),
  })

  try {
    // asked beside /ready: a Loki that is starting says so instead of failing the push
    await guardStartup(loki, (signal) => loki.push([{stream: {[CANARY_LABEL]: id, job: 'hydra-canary'}, values: [[ns.toString(), line]]}], signal), options.signal)
  } catch (error) {
    // a transport failure (refused, timeout) is an HttpError; an answer with an error status is Loki's own
    if (isHttpError(error)) return failed('push_unreachable', `the push to ${loki.pushBaseUrl} got no answer: ${message(error)}`, hintOf(error), {})
    if (error instanceof OperationError && error.code === 'loki_starting') return failed('loki_starting', error.message, error.hint, {})
    return failed('push_refused', message(error), hintOf(error) ?? "Loki refuses pushes, so the log shippers' pushes are refused too: fix what Loki names (its limits_config, the tenant, this host's clock)", {})
  }
  const pushMs = Math.round(performance.now() - t0)
  let attempts = 0
  let lastError: unknown
  const deadline = t0 + timeoutMs
  while (performance.now() < deadline && !options.signal?.aborted) {
    attempts++
    try {
      const left = Math.max(1, Math.round(deadline - performance.now()))
      const data = await guardStartup(
        loki,
        (signal) =>
          loki.getJson<LokiQueryData>(
            '/loki/api/v1/query_range',
            {query: selector, start: (ns - 60_000_000_000n).toString(), end: (BigInt(Date.now()) * 1_000_000n + 60_000_000_000n).toString(), limit: 10, direction: 'forward'},
            {signal, timeoutMs: left},
          ),
        options.signal,
      )
      lastError = undefined
      if (data.resultType === 'streams' && data.result.some((s) => s.values.some(([, l]) => l === line))) {
        return {ok: true, ...base, pushMs, roundTripMs: Math.round(performance.now() - t0), attempts, exitCode: canaryExitCode(true)}
      }
    } catch (error) {
      // the last attempt cut short by the canary's own wait is "not back in time", not a failed read
      lastError = isHttpError(error) && /timeout/.test(error.failure) && performance.now() >= deadline - 50 ? undefined : error
      // a refused tenant or a bad request will not change by asking again
      if (error instanceof HydraError && (error.exitCode === 2 || error.exitCode === 4)) break
      if (error instanceof OperationError && error.code === 'loki_starting') break
    }
    await sleep(options.intervalMs ?? 250, options.signal)
  }
  const waited = formatDuration(timeoutMs)
  if (lastError instanceof OperationError && lastError.code === 'loki_starting') return failed('loki_starting', lastError.message, lastError.hint, {pushMs, attempts})
  if (lastError !== undefined) return failed('read_failed', `reading it back from ${loki.baseUrl} failed: ${message(lastError)}`, hintOf(lastError), {pushMs, attempts})
  return failed(
    'not_readable',
    `the line pushed to ${loki.pushBaseUrl} (204) did not come back from ${loki.baseUrl} within ${waited}`,
    loki.pushBaseUrl === loki.baseUrl
      ? 'Loki accepted the line but its queriers do not see it: check the ingester ring (hydra docker logs loki), or give it longer with --wait if Loki is loaded'
      : "the write path accepted it but the read path does not see it: the read targets must share the ring (memberlist join_members) and the store with the write targets",
    {pushMs, attempts},
  )
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function hintOf(error: unknown): string | undefined {
  if (error instanceof HydraError) return error.hint
  if (isHttpError(error)) return error.hint
  return undefined
}
