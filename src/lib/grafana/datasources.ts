/**
 * Grafana's data sources (api-facts.md §12): the list (`GET /api/datasources`, Admin's
 * datasources:read), Grafana's own health check of each (`GET /api/datasources/uid/:uid/health`,
 * Grafana 9+, datasources:query) and whether a Prometheus or Loki data source points at the
 * Prometheus / Loki of the config — a data source aimed at an old address is the runbook's classic
 * "Grafana Dashboard Empty". Secrets: Grafana never returns `secureJsonData` and hydra never asks
 * for it; only the *names* of the secret fields (`secureJsonFields`) are ever read, for restores.
 */
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'

import type {HydraConfig} from '../config/resolve.js'
import {forEachConcurrently} from '../backup/pool.js'
import {grafanaErrorMessage, type CallOptions, type GrafanaClient} from './client.js'
import {compareNames} from '../order.js'

export interface DatasourceSummary {
  id?: number
  uid: string
  name: string
  type: string
  url: string
  access?: string
  isDefault: boolean
  readOnly?: boolean
}

export type HealthStatus = 'ok' | 'error' | 'unknown'

export interface DatasourceHealth {
  status: HealthStatus
  message: string
}

export type TargetVerdict = 'same' | 'elsewhere' | 'unknown'

export interface DatasourceTarget {
  /** the config service a data source of this type should point at */
  service: 'prometheus' | 'loki'
  expected: string
  verdict: TargetVerdict
  detail: string
}

export interface DatasourceRow extends DatasourceSummary {
  health: DatasourceHealth
  target?: DatasourceTarget
  /** what is wrong, empty when nothing is */
  problems: string[]
}

export interface DatasourcesReport {
  grafana: {url: string; version?: string}
  /** false on Grafana before 9.0: no health route */
  healthSupported: boolean
  datasources: DatasourceRow[]
  problems: number
  exitCode: 0 | 1
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** GET /api/datasources: every data source (a bare array; no paging, 5000 at most). */
export async function listDatasources(grafana: GrafanaClient, options: CallOptions = {}): Promise<DatasourceSummary[]> {
  const list = await grafana.apiJson<unknown>('/api/datasources', {...options, permission: 'datasources:read'})
  if (!Array.isArray(list)) throw new TypeError('GET /api/datasources did not answer with a JSON array')
  return list.flatMap((d) => {
    const x = d as Record<string, unknown>
    if (typeof x.uid !== 'string' || x.uid === '') return []
    return [
      {
        ...(typeof x.id === 'number' ? {id: x.id} : {}),
        uid: x.uid,
        name: str(x.name),
        type: str(x.type),
        url: str(x.url),
        access: str(x.access),
        isDefault: x.isDefault === true,
        readOnly: x.readOnly === true,
      },
    ]
  })
}

/** The major version of a Grafana version string ("11.3.0" → 11). */
export function grafanaMajor(version: string | undefined): number | undefined {
  const m = /^v?(\d+)\./.exec(version ?? '')
  return m ? Number(m[1]) : undefined
}

/** Grafana's own check of one data source. Pure interpretation of the answer in `interpretHealth`. */
export async function datasourceHealth(grafana: GrafanaClient, uid: string, options: CallOptions = {}): Promise<DatasourceHealth> {
  const res = await grafana.api('GET', `/api/datasources/uid/${encodeURIComponent(uid)}/health`, {...options, okStatus: 'any', permission: 'datasources:query'})
  return interpretHealth(res.status, res.text())
}

export function interpretHealth(status: number, body: string): DatasourceHealth {
  let parsed: {status?: unknown; message?: unknown} = {}
  try {
    parsed = JSON.parse(body) as typeof parsed
  } catch {
    /* not JSON */
  }
  const message = typeof parsed.message === 'string' ? parsed.message : (grafanaErrorMessage(body).message ?? `HTTP ${status}`)
  if (status === 200 && parsed.status === 'OK') return {status: 'ok', message}
  if (status === 400 || parsed.status === 'ERROR') return {status: 'error', message}
  // 404 "Not found" (Prometheus before Grafana 10, Loki before 10.2), 500 plugin.unavailable (frontend-only plugins)
  return {status: 'unknown', message: `Grafana has no backend health check for this data source (HTTP ${status}: ${message})`}
}

interface HostPort {
  host: string
  port: string
  path: string
}

function hostPort(url: string): HostPort | undefined {
  try {
    const u = new URL(url)
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '')
    return {host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port, path: u.pathname.replace(/\/+$/, '')}
  } catch {
    return undefined
  }
}

const LOOPBACK = /^(localhost|127\.0\.0\.1|::1)$/

/** The addresses a host name stands for (an IP stands for itself); empty when it does not resolve here. */
async function addressesOf(host: string, timeoutMs: number): Promise<string[]> {
  if (isIP(host)) return [host]
  const timer = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref())
  const looked = lookup(host, {all: true}).then(
    (r) => r.map((a) => a.address),
    () => [],
  )
  return Promise.race([looked, timer])
}

/**
 * Does a data source's URL point at the config's service? Host names are resolved and compared by
 * address, with port and path; `localhost` in a data source means Grafana's own machine, so it is
 * read as the Grafana node's address.
 */
export async function compareTarget(dsUrl: string, expectedUrl: string, grafanaUrl: string, timeoutMs = 2000): Promise<{verdict: TargetVerdict; detail: string}> {
  const ds = hostPort(dsUrl)
  const want = hostPort(expectedUrl)
  if (!ds || !want) return {verdict: 'elsewhere', detail: `the data source URL ${JSON.stringify(dsUrl)} is not a URL`}
  const grafanaHost = hostPort(grafanaUrl)?.host
  const [direct, expected] = await Promise.all([addressesOf(ds.host, timeoutMs), addressesOf(want.host, timeoutMs)])
  let have = direct
  // localhost in a data source is Grafana's own machine, not the one hydra runs on
  if (!have.some((a) => expected.includes(a)) && LOOPBACK.test(ds.host) && grafanaHost) have = await addressesOf(grafanaHost, timeoutMs)
  const where = `${want.host}:${want.port}${want.path}`
  if (have.length === 0) return {verdict: 'unknown', detail: `${ds.host} does not resolve here; cannot tell whether it is ${where}`}
  const sameHost = have.some((a) => expected.includes(a))
  if (sameHost && ds.port === want.port && ds.path === want.path) return {verdict: 'same', detail: `points at ${where}`}
  return {verdict: 'elsewhere', detail: `points at ${ds.host}:${ds.port}${ds.path}, not the config's ${where}`}
}

/** Which config service a data source type belongs to. */
export function serviceOfType(type: string): 'prometheus' | 'loki' | undefined {
  if (type === 'prometheus') return 'prometheus'
  if (type === 'loki') return 'loki'
  return undefined
}

export interface CheckDatasourcesOptions extends CallOptions {
  grafana: GrafanaClient
  config: Pick<HydraConfig, 'prometheus' | 'loki'>
  concurrency?: number
}

export async function checkDatasources(options: CheckDatasourcesOptions): Promise<DatasourcesReport> {
  const {grafana, config} = options
  const call: CallOptions = {signal: options.signal, timeoutMs: options.timeoutMs}
  const health = await grafana.health(call)
  const major = grafanaMajor(health.version)
  const healthSupported = major === undefined || major >= 9
  const list = await listDatasources(grafana, call)
  const rows: DatasourceRow[] = []
  await forEachConcurrently(list, options.concurrency ?? 8, async (ds) => {
    const h: DatasourceHealth = healthSupported
      ? await datasourceHealth(grafana, ds.uid, call)
      : {status: 'unknown', message: `Grafana ${health.version} has no data-source health check (GET /api/datasources/uid/:uid/health came in 9.0)`}
    const service = serviceOfType(ds.type)
    const expected = service === 'prometheus' ? config.prometheus.baseUrl : service === 'loki' ? config.loki?.baseUrl : undefined
    let target: DatasourceTarget | undefined
    if (service && expected) target = {service, expected, ...(await compareTarget(ds.url, expected, grafana.baseUrl, Math.min(2000, options.timeoutMs ?? 2000)))}
    const problems: string[] = []
    if (h.status === 'error') problems.push(`unhealthy: ${h.message}`)
    if (target?.verdict === 'elsewhere') problems.push(`${target.detail}: fix its URL under Connections > Data sources > ${ds.name}`)
    rows.push({...ds, health: h, ...(target ? {target} : {}), problems})
  })
  rows.sort((a, b) => compareNames(a.name, b.name))
  const problems = rows.filter((r) => r.problems.length > 0).length
  return {grafana: {url: grafana.baseUrl, ...(health.version ? {version: health.version} : {})}, healthSupported, datasources: rows, problems, exitCode: problems > 0 ? 1 : 0}
}
