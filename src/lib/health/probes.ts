/**
 * Every configured service's health endpoint (the runbook's "Health Check Endpoints"), with the
 * corrected paths of api-facts.md §6: TabbyAPI /health (it has no /metrics), LiteLLM
 * /health/liveliness (/health needs a key and calls every model), Qdrant /readyz, cAdvisor /healthz.
 *
 * Evaluators are pure functions of the response, so each is unit-tested against the documented
 * bodies; the runner probes everything concurrently, each with its own timeout and no retries
 * (a probe reports the state it saw).
 */
import {connect} from 'node:net'

import {clientForEndpoint, isHttpError, type HttpResponse} from '../clients/http/index.js'
import type {HydraConfig, ResolvedEndpoint} from '../config/resolve.js'
import {readinessPhase} from '../loki/guard.js'

export interface Verdict {
  ok: boolean
  detail: string
  /** why it is not healthy, when more precise than `unhealthy` (e.g. http_html: a login page answered) */
  cause?: string
  /** what the server said, when the detail puts it in other words (Loki's /ready while it starts) */
  evidence?: string
}

export type Evaluator = (res: HttpResponse) => Verdict

export interface HealthProbe {
  id: string
  kind: string
  node?: string
  endpoint: ResolvedEndpoint
  path: string
  required: boolean
  evaluate: Evaluator
  /** the container the config names for this service, for the "see its logs" hint */
  container?: string
  /** the documented probe needs no credentials (Grafana /api/health, Qdrant /readyz, LiteLLM liveliness, TabbyAPI /health): send none, so a missing token cannot fail it */
  anonymous?: boolean
}

export interface HealthResult {
  id: string
  kind: string
  node?: string
  url: string
  required: boolean
  status: 'ok' | 'fail'
  httpStatus?: number
  latencyMs: number
  detail: string
  /** why it failed: an HttpFailureCause (refused, timeout, ...) or `unhealthy` (it answered, and said no) */
  cause?: string
  /** what the server said, when the detail puts it in other words */
  evidence?: string
  hint?: string
}

export interface HealthReport {
  results: HealthResult[]
  summary: {total: number; ok: number; failed: number; requiredFailed: number}
  /** 0 all required healthy · 1 a required service unhealthy · 4 a required service refused hydra (401/403) */
  exitCode: 0 | 1 | 4
}

const firstLine = (s: string) => s.trim().split('\n')[0]?.slice(0, 200) ?? ''

function safeJson(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.text())
  } catch {
    return undefined
  }
}

const is2xx = (res: HttpResponse) => res.status >= 200 && res.status < 300

/** An HTML page (a login page, a proxy's error page) where a health endpoint answers text or JSON. */
export function looksHtml(res: HttpResponse): boolean {
  return /text\/html|application\/xhtml/i.test(res.headers['content-type'] ?? '') || /^\s*<(!doctype\s+html|html[\s>])/i.test(res.text().slice(0, 200))
}

function htmlVerdict(res: HttpResponse, what: string): Verdict {
  const title = /<title[^>]*>([^<]{0,80})/i.exec(res.text())?.[1]?.trim()
  return {ok: false, cause: 'http_html', detail: `HTTP ${res.status} with an HTML page${title ? ` ("${title}")` : ''}, not ${what}: a login page or proxy answered`}
}

/**
 * A plain-text readiness endpoint that must answer `expected` (api-facts.md §1, §4, §6): a 2xx
 * with an HTML page or an empty body is not the service saying it is ready.
 */
export function textReady(what: string, expected: RegExp, example: string): Evaluator {
  return (res) => {
    const text = res.text().trim()
    if (is2xx(res) && looksHtml(res)) return htmlVerdict(res, what)
    if (is2xx(res) && expected.test(text)) return {ok: true, detail: firstLine(text)}
    if (is2xx(res))
      return {ok: false, cause: text === '' ? 'empty_body' : 'unexpected_body', detail: `HTTP ${res.status} ${text === '' ? 'with an empty body' : `"${firstLine(text).slice(0, 60)}"`}; ${what} answers ${JSON.stringify(example)}`}
    return {ok: false, detail: `HTTP ${res.status}: ${firstLine(text) || res.statusText}`}
  }
}

/** Prometheus (and VictoriaMetrics) /-/ready: 200 "Prometheus Server is Ready." (§1, §11). */
export const prometheusReady: Evaluator = textReady("Prometheus's /-/ready", /\bis ready\b/i, 'Prometheus Server is Ready.')
/** Alertmanager /-/ready: 200 "OK" (§4). */
export const alertmanagerReady: Evaluator = textReady("Alertmanager's /-/ready", /^ok$/i, 'OK')
/** Qdrant /readyz: 200 "all shards are ready" (§6). */
export const qdrantReady: Evaluator = textReady("Qdrant's /readyz", /ready/i, 'all shards are ready')

/** Any plain-text readiness endpoint: a 2xx that is not an HTML page. */
export const plainReady: Evaluator = (res) =>
  is2xx(res)
    ? looksHtml(res)
      ? htmlVerdict(res, 'a health answer')
      : {ok: true, detail: firstLine(res.text()) || `HTTP ${res.status}`}
    : {ok: false, detail: `HTTP ${res.status}: ${firstLine(res.text()) || res.statusText}`}

/** Grafana GET /api/health: 200 {"database":"ok","version":…}; 503 with "database":"failing". */
export const grafanaHealth: Evaluator = (res) => {
  if (is2xx(res) && looksHtml(res)) return htmlVerdict(res, "Grafana's JSON health")
  const body = safeJson(res) as {database?: string; version?: string; message?: unknown} | undefined
  if (!body || typeof body !== 'object') return {ok: false, detail: `HTTP ${res.status}: expected Grafana's JSON health, got ${JSON.stringify(firstLine(res.text()).slice(0, 60))}`}
  const version = body.version ? `Grafana ${body.version}, ` : ''
  if (is2xx(res) && body.database === 'ok') return {ok: true, detail: `${version}database ok`}
  // not the health document but Grafana's JSON error ({"message": "database is locked"}): its words
  const said = body.database === undefined && typeof body.message === 'string' ? body.message : `database ${body.database ?? 'unknown'}`
  return {ok: false, detail: `HTTP ${res.status}: ${version}${said}`}
}

/**
 * Loki GET /ready: 200 "ready"; 503 with why. While Loki starts that is `Some services are not
 * Running: …`, then `Ingester not ready: …` (api-facts.md §10): cause `starting`, and the detail says
 * so in words, with /ready's text; `Application is stopping` is `stopping`.
 */
export const lokiReady: Evaluator = (res) => {
  const phase = readinessPhase(res.status, res.text())
  if (!phase) return lokiReadyAnswer(res)
  const said = res.text().trim().replace(/\s*\n\s*/g, '; ').slice(0, 200)
  return {ok: false, cause: phase, detail: `Loki is ${phase === 'starting' ? 'starting' : 'shutting down'} (${said})`, evidence: `HTTP ${res.status}: ${said}`}
}

const lokiReadyAnswer: Evaluator = (res) =>
  is2xx(res) && looksHtml(res)
    ? htmlVerdict(res, "Loki's /ready")
    : is2xx(res) && res.text().trim() === ''
      ? {ok: false, cause: 'empty_body', detail: `HTTP ${res.status} with an empty body; Loki's /ready answers "ready"`}
      : is2xx(res) && res.text().trim() === 'ready'
    ? {ok: true, detail: 'ready'}
    : {ok: false, detail: `HTTP ${res.status}: ${res.text().trim().replace(/\s*\n\s*/g, '; ').slice(0, 200) || res.statusText}`}

/** TabbyAPI GET /health: {"status":"healthy","issues":[]} or 503 {"status":"unhealthy","issues":[{time,description}]}. */
export const tabbyHealth: Evaluator = (res) => {
  const body = safeJson(res) as {status?: string; issues?: {description?: string}[]} | undefined
  if (!body || typeof body !== 'object') return {ok: false, detail: `HTTP ${res.status}: not TabbyAPI's JSON health answer`}
  if (is2xx(res) && body.status === 'healthy') return {ok: true, detail: 'healthy'}
  const issues = (body.issues ?? []).map((i) => i.description).filter(Boolean)
  return {ok: false, detail: `HTTP ${res.status}: ${body.status ?? 'unknown'}${issues.length ? `: ${issues.join('; ')}` : ''}`}
}

/** Ollama GET /api/tags: {"models":[…]}. */
export const ollamaTags: Evaluator = (res) => {
  const body = safeJson(res) as {models?: {name?: string}[]; error?: string} | undefined
  if (is2xx(res) && body && Array.isArray(body.models)) {
    const names = body.models.map((m) => m.name).filter(Boolean)
    return {ok: true, detail: `${names.length} model${names.length === 1 ? '' : 's'}${names.length ? `: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}` : ''}`}
  }
  return {ok: false, detail: `HTTP ${res.status}: ${body?.error ?? (firstLine(res.text()) || res.statusText)}`}
}

/** Qdrant /readyz, cAdvisor /healthz, LiteLLM /health/liveliness, anything else: 2xx is healthy. */
export const anyOk: Evaluator = plainReady

const APP_EVALUATORS: Record<string, Evaluator> = {tabbyapi: tabbyHealth, ollama: ollamaTags, qdrant: qdrantReady, litellm: anyOk, generic: anyOk}

export function buildProbes(cfg: HydraConfig): HealthProbe[] {
  const probes: HealthProbe[] = [
    {id: 'prometheus', kind: 'prometheus', node: cfg.prometheus.node, endpoint: cfg.prometheus, path: '/-/ready', required: cfg.prometheus.required, evaluate: prometheusReady, container: cfg.prometheus.container},
  ]
  if (cfg.grafana) probes.push({id: 'grafana', kind: 'grafana', node: cfg.grafana.node, endpoint: cfg.grafana, path: '/api/health', required: cfg.grafana.required, evaluate: grafanaHealth, anonymous: true})
  if (cfg.loki) probes.push({id: 'loki', kind: 'loki', node: cfg.loki.node, endpoint: cfg.loki, path: '/ready', required: cfg.loki.required, evaluate: lokiReady, container: cfg.loki.container})
  if (cfg.alertmanager)
    probes.push({id: 'alertmanager', kind: 'alertmanager', node: cfg.alertmanager.node, endpoint: cfg.alertmanager, path: '/-/ready', required: cfg.alertmanager.required, evaluate: alertmanagerReady})
  for (const node of cfg.nodes) {
    for (const e of node.exporters) {
      if (!e.health) continue
      const endpoint: ResolvedEndpoint = {id: e.id, baseUrl: `${e.scheme}://${e.url.split('://')[1]!.split('/')[0]}`, node: node.name, headers: {}, timeoutMs: cfg.timeoutMs, required: true}
      probes.push({id: e.id, kind: e.name, node: node.name, endpoint, path: e.health, required: true, evaluate: anyOk})
    }
  }
  for (const app of cfg.apps) probes.push({id: app.id, kind: app.kind, node: app.node, endpoint: app, path: app.health, required: app.required, evaluate: APP_EVALUATORS[app.kind] ?? anyOk, anonymous: app.kind !== 'generic', container: app.container})
  return probes
}

const HINTS: Record<string, (p: HealthProbe) => string> = {
  refused: (p) => `nothing listens on ${p.endpoint.baseUrl}: is ${p.id} running?${p.node ? ` (hydra docker logs or hydra exporter status ${p.node})` : ''}`,
  timeout: (p) => `no answer within ${p.endpoint.timeoutMs}ms: host down, blackholed or firewalled${p.node ? `; try hydra firewall check ${p.node}` : ''}`,
  connect_timeout: (p) => `could not connect within ${p.endpoint.timeoutMs}ms: host down, blackholed or firewalled${p.node ? `; try hydra firewall check ${p.node}` : ''}`,
  response_timeout: (p) =>
    `${p.id} accepts connections but did not answer within ${p.endpoint.timeoutMs}ms: the service is stuck (the host accepts connections: not a network fault); ${
      p.container ? `see its logs (hydra docker logs ${p.container} --tail 50), then restart it (docker restart ${p.container})` : `see its logs on ${p.node ?? 'its host'}, then restart it`
    }`,
  empty_body: (p) => `${p.id} answered 200 with nothing: something other than ${p.id} answers on ${p.endpoint.baseUrl} (a proxy?), or it is broken; check the url`,
  unexpected_body: (p) => `${p.id}'s endpoint answered something else than ${p.id} does: check that ${p.endpoint.baseUrl} is ${p.id} (url, pathPrefix)`,
  http_html: (p) => `an HTML page answered on ${p.endpoint.baseUrl}${p.path}: a login page or reverse proxy sits in front of ${p.id}; point the url past it, or give hydra credentials the proxy accepts`,
  starting: (p) => `${p.id} answers queries once /ready says "ready" (Loki: 15–30 s after it starts): run hydra health again shortly${p.container ? `; if it stays starting, see why: hydra docker logs ${p.container} --tail 50` : ''}`,
  stopping: (p) => `${p.id} is shutting down: if nobody stopped it on purpose, see why${p.container ? `: hydra docker logs ${p.container} --tail 50` : ` in its logs on ${p.node ?? 'its host'}`}`,
  unreachable: () => 'no route to the host: is the node up and on the network?',
  dns: () => 'the host name does not resolve: check the address in the config',
  tls: () => 'TLS failed: set tls.caFile for a private CA (or tls.insecureSkipVerify, knowingly)',
  html: () => 'an HTML page answered: the URL probably points at a proxy or login page, check pathPrefix/url',
  unhealthy: (p) =>
    p.container
      ? `${p.id} answered but is not healthy; see its logs: hydra docker logs ${p.container} --tail 50`
      : `${p.id} answered but is not healthy; see its logs on ${p.node ?? 'its host'}`,
}

/** The hint for a 401/403 that fits what the config has: a credential that is refused, or none at all. */
export function authHint(probe: HealthProbe, status: number): string {
  const auth = probe.anonymous ? undefined : probe.endpoint.auth
  if (auth) {
    const ref = auth.tokenEnv ? `$${auth.tokenEnv}` : auth.tokenFile ? `file ${auth.tokenFile}` : auth.passwordEnv ? `$${auth.passwordEnv}` : auth.passwordFile ? `file ${auth.passwordFile}` : 'the configured credential'
    return status === 403
      ? `${probe.id} knows hydra's credential (${ref}) but refuses it this endpoint: give it the rights it needs (e.g. a Viewer role)`
      : `${probe.id} refused hydra's credential (${ref}): check that it is current (not expired or revoked)`
  }
  const where = probe.kind === probe.id ? `services.${probe.id}` : `apps.${probe.id}`
  // a health endpoint that needs no login (Grafana's /api/health): the configured credential is not the cure
  if (probe.anonymous && probe.endpoint.auth)
    return `${probe.id} answered ${status} on ${probe.path}, which ${probe.id} itself answers without a login (hydra sends no credential there): a proxy or login page in front of it asks for one; point ${where}.url past the proxy`
  return `${probe.id} answered ${status} but the config gives no credential for it${probe.anonymous ? ' (its health endpoint needs none)' : ''}: a proxy or login in front of it asks for one; point the url past the proxy, or add the credential under ${where}.auth`
}

/**
 * Did the host accept a TCP connection within `ms`? Run beside a request, it tells a connect
 * timeout (blackholed, firewalled, down) from a response timeout (the service is stuck).
 */
function tcpAccepts(baseUrl: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let u: URL
    try {
      u = new URL(baseUrl)
    } catch {
      resolve(false)
      return
    }
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80))
    const socket = connect({host: u.hostname.replace(/^\[|\]$/g, ''), port})
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), ms)
    timer.unref()
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

export async function probeHealth(probe: HealthProbe, signal?: AbortSignal): Promise<HealthResult> {
  const client = clientForEndpoint(probe.anonymous ? {...probe.endpoint, auth: undefined} : probe.endpoint)
  const url = `${client.baseUrl}${probe.path}`
  const base = {id: probe.id, kind: probe.kind, node: probe.node, url, required: probe.required}
  const started = performance.now()
  // beside the request: does the port accept connections at all? (connect vs response timeout)
  const accepts = tcpAccepts(client.baseUrl, probe.endpoint.timeoutMs)
  try {
    const res = await client.request('GET', probe.path, {okStatus: 'any', retries: 0, signal})
    const verdict = probe.evaluate(res)
    const result: HealthResult = {...base, status: verdict.ok ? 'ok' : 'fail', httpStatus: res.status, latencyMs: Math.round(res.elapsedMs), detail: verdict.detail, ...(verdict.evidence ? {evidence: verdict.evidence} : {})}
    if (!verdict.ok) {
      result.cause = res.status === 401 || res.status === 403 ? 'auth' : (verdict.cause ?? 'unhealthy')
      result.hint = result.cause === 'auth' ? authHint(probe, res.status) : (HINTS[result.cause] ?? HINTS.unhealthy!)(probe)
    }
    return result
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started)
    if (isHttpError(error)) {
      let cause: string = error.failure
      let detail = error.summary
      if ((cause === 'timeout' || cause === 'connect_timeout') && !signal?.aborted) {
        const connected = await accepts
        cause = connected ? 'response_timeout' : 'connect_timeout'
        detail = connected
          ? `connected, but no answer within ${probe.endpoint.timeoutMs}ms`
          : `could not connect within ${probe.endpoint.timeoutMs}ms (no answer to the TCP handshake)`
      }
      return {...base, status: 'fail', latencyMs, detail, cause, hint: HINTS[cause]?.(probe)}
    }
    return {...base, status: 'fail', latencyMs, detail: (error as Error).message, cause: 'error'}
  } finally {
    await client.close()
  }
}

export async function checkHealth(cfg: HydraConfig, options: {only?: string[]; signal?: AbortSignal} = {}): Promise<HealthReport> {
  const probes = buildProbes(cfg).filter((p) => !options.only?.length || options.only.includes(p.id) || options.only.includes(p.kind))
  const results = await Promise.all(probes.map((p) => probeHealth(p, options.signal)))
  return {
    results,
    summary: {
      total: results.length,
      ok: results.filter((r) => r.status === 'ok').length,
      failed: results.filter((r) => r.status !== 'ok').length,
      requiredFailed: results.filter((r) => r.status !== 'ok' && r.required).length,
    },
    exitCode: results.some((r) => r.status !== 'ok' && r.required && r.cause === 'auth') ? 4 : results.some((r) => r.status !== 'ok' && r.required) ? 1 : 0,
  }
}
