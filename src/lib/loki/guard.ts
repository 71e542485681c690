/**
 * What makes a real Loki's answer misleading, checked around each query (api-facts.md §10):
 *
 * - Start-up. For 0.2–10 s `/ready` says `Some services are not Running: …`, then for ≈15 s
 *   `Ingester not ready: waiting for 15s after being ready`; a query sent meanwhile blocks ≈10 s.
 *   `/ready` is asked alongside the query: when it says Loki is starting, the query is abandoned
 *   and the answer is "Loki is starting", not a timeout.
 * - Multi-tenant tenants (`a|b`). With `querier.multi_tenant_queries_enabled: false` (the default)
 *   2.8 answers 200 with nothing and 3.4 answers 500 `multiple org IDs present` after ≈18 s. The
 *   running config (`GET /config`) says which; without it an empty answer carries a note.
 */
import {isHttpError} from '../clients/http/index.js'
import {OperationError} from '../errors.js'
import {multiTenantOffError, type LokiClient} from './client.js'

export type LokiPhase = 'starting' | 'stopping'

/** A 503 body of /ready → starting or stopping; anything else → undefined. Pure. */
export function readinessPhase(status: number, text: string): LokiPhase | undefined {
  if (status !== 503) return undefined
  if (/Application is stopping/i.test(text)) return 'stopping'
  if (/Some services are not Running|not ready|Starting:/i.test(text)) return 'starting'
  return undefined
}

export function lokiStartingError(baseUrl: string, phase: LokiPhase, text: string): OperationError {
  const said = text.replace(/\s*\n\s*/g, '; ').replace(/;\s*$/, '').slice(0, 200)
  return phase === 'starting'
    ? new OperationError('loki_starting', `Loki at ${baseUrl} is starting: /ready says "${said}"`, {
        hint: 'Loki answers queries once /ready says "ready", about 15–30 s after it starts; try again shortly (hydra health shows when)',
      })
    : new OperationError('loki_stopping', `Loki at ${baseUrl} is shutting down: /ready says "${said}"`, {hint: 'wait for it to come back; hydra health shows when'})
}

/**
 * Run `query` while asking /ready; if Loki says it is starting (or stopping), abandon the query and
 * throw that instead. A /ready that fails or answers otherwise changes nothing.
 */
export async function guardStartup<T>(loki: LokiClient, query: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const ctl = new AbortController()
  const onOuter = () => ctl.abort(outer?.reason)
  outer?.addEventListener('abort', onOuter, {once: true})
  let phaseError: OperationError | undefined
  const probe = loki.readiness(ctl.signal).then(
    (r) => {
      const phase = readinessPhase(r.status, r.text)
      if (phase) {
        phaseError = lokiStartingError(loki.baseUrl, phase, r.text)
        ctl.abort(phaseError)
      }
    },
    () => {},
  )
  try {
    return await query(ctl.signal)
  } catch (error) {
    if (!phaseError && !ctl.signal.aborted) await Promise.race([probe, new Promise((r) => setTimeout(r, 1000).unref())])
    throw phaseError ?? error
  } finally {
    outer?.removeEventListener('abort', onOuter)
    ctl.abort()
  }
}

/** querier.multi_tenant_queries_enabled from Loki's running config (YAML); undefined if absent. Pure. */
export async function multiTenantSetting(configYaml: string): Promise<boolean | undefined> {
  const {parse} = await import('yaml')
  try {
    const doc = parse(configYaml) as {querier?: {multi_tenant_queries_enabled?: unknown}} | null
    const v = doc?.querier?.multi_tenant_queries_enabled
    return typeof v === 'boolean' ? v : undefined
  } catch {
    return undefined
  }
}

export interface TenancyCheck {
  /** true: on; false never returns (throws); undefined: Loki would not say */
  multiTenantQueries?: boolean
}

/**
 * For a multi-tenant tenant (`a|b`): refuse early, with why and what to change, when Loki's
 * running config has multi-tenant queries off. A single tenant costs nothing.
 */
export async function checkTenancy(loki: LokiClient, signal?: AbortSignal): Promise<TenancyCheck> {
  const tenant = loki.tenant ?? ''
  if (!tenant.includes('|')) return {}
  let yaml: string | undefined
  try {
    yaml = await loki.runningConfig(signal)
  } catch (error) {
    if (!isHttpError(error)) throw error
    return {}
  }
  const on = yaml === undefined ? undefined : await multiTenantSetting(yaml)
  if (on === false) throw multiTenantOffError(loki.baseUrl, tenant, 'its running config, GET /config, says so')
  return {multiTenantQueries: on}
}

/** The note an empty answer carries when it may be tenancy's doing. Pure. */
export function emptyAnswerNote(tenant: string | undefined, check: TenancyCheck): string | undefined {
  if (!tenant?.includes('|') || check.multiTenantQueries === true) return undefined
  return `nothing came back for the multi-tenant "${tenant}", and Loki does not show whether its querier.multi_tenant_queries_enabled is on: with it off (the default) Loki 2.x answers exactly like this; try one tenant with --org-id ${tenant.split('|')[0]}`
}

/**
 * An empty answer for one tenant (or none): ask whether that tenant has any stream at all in the
 * window (/loki/api/v1/labels, the same X-Scope-OrgID). None at all is what a wrong tenant looks
 * like — Loki keeps each tenant's logs apart and answers 200 with nothing — so say so; streams that
 * exist but did not match are the query's business. Best effort: no note when Loki will not say.
 */
export async function emptyTenantNote(loki: LokiClient, window: {startNs: bigint; endNs: bigint}, signal?: AbortSignal): Promise<string | undefined> {
  const tenant = loki.tenant
  if (tenant?.includes('|')) return undefined
  let labels: string[] | null | undefined
  try {
    labels = await loki.getJson<string[] | null | undefined>('/loki/api/v1/labels', {start: window.startNs.toString(), end: window.endNs.toString()}, {signal})
  } catch {
    return undefined
  }
  if ((labels ?? []).length > 0) return undefined
  return tenant
    ? `Loki has no log stream at all for the tenant "${tenant}" in this window: Loki keeps each tenant's logs apart (X-Scope-OrgID) and answers a tenant it has nothing for with an empty result; check that "${tenant}" (services.loki.tenant) is the tenant your log shippers push as, or try another with --org-id`
    : 'Loki has no log stream at all in this window: is anything pushing to it? (hydra loki canary; hydra doctor --only logs)'
}
