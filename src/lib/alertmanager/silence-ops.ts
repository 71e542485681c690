/**
 * The silence commands' one call each: add (a plan's silences, all-or-nothing, or only the plan
 * with dryRun), expire many IDs with a per-ID result, list.
 */
import type {HydraConfig, ResolvedEndpoint} from '../config/resolve.js'
import {ExitCode, HydraError, UserError, type ExitCodeValue} from '../errors.js'
import {AlertmanagerClient} from './api.js'
import {checkSilenceId, createSilence, expireSilence, planSilences, silenceRows, type PlanInput, type SilencePlan, type SilenceRow} from './silences.js'

export function requireAlertmanager(cfg: HydraConfig): ResolvedEndpoint {
  if (!cfg.alertmanager) throw new UserError('the config names no Alertmanager (services.alertmanager)', {code: 'no_alertmanager', hint: 'add services.alertmanager with its node and port (9093) to the config'})
  return cfg.alertmanager
}

export type CreatedSilence = SilencePlan & {id: string}

/** Creates every silence of the plan; if one fails, expires those already created, then throws. */
export async function addSilences(am: AlertmanagerClient, plans: SilencePlan[]): Promise<CreatedSilence[]> {
  const created: CreatedSilence[] = []
  try {
    for (const plan of plans) created.push({...plan, id: await createSilence(am, plan)})
  } catch (error) {
    await Promise.allSettled(created.map((c) => expireSilence(am, c.id)))
    throw error
  }
  return created
}

export interface ExpireReport {
  results: {id: string; expired: boolean; error?: string; code?: string}[]
  exitCode: ExitCodeValue
}

export async function expireSilences(am: AlertmanagerClient, ids: string[]): Promise<ExpireReport> {
  const results: ExpireReport['results'] = []
  for (const id of ids) {
    try {
      await expireSilence(am, id)
      results.push({id, expired: true})
    } catch (error) {
      if (!(error instanceof HydraError) || error.exitCode === ExitCode.AUTH) throw error
      results.push({id, expired: false, error: error.message, code: error.code})
    }
  }
  const ok = results.filter((r) => r.expired).length
  return {results, exitCode: ok === results.length ? ExitCode.OK : ok === 0 ? ExitCode.FAILURE : ExitCode.PARTIAL}
}

/** Runs `fn` with a client of the config's Alertmanager, closed after. */
async function withAlertmanager<T>(endpoint: ResolvedEndpoint, fn: (am: AlertmanagerClient) => Promise<T>): Promise<T> {
  const am = new AlertmanagerClient(endpoint)
  try {
    return await fn(am)
  } finally {
    await am.close()
  }
}

export interface SilenceAddReport {
  dryRun: boolean
  alertmanager: string
  silences: (SilencePlan | CreatedSilence)[]
}

/** `hydra silence add`: plan the silences (usage errors first), then create them unless dryRun. */
export async function silenceAdd(cfg: HydraConfig, input: PlanInput & {dryRun?: boolean}): Promise<SilenceAddReport> {
  const plans = planSilences(cfg, input)
  const endpoint = requireAlertmanager(cfg)
  if (input.dryRun) return {dryRun: true, alertmanager: endpoint.baseUrl, silences: plans}
  return {dryRun: false, alertmanager: endpoint.baseUrl, silences: await withAlertmanager(endpoint, (am) => addSilences(am, plans))}
}

export type SilenceExpireReport = {dryRun: true; alertmanager: string; results: ExpireReport['results']} | ({dryRun: false; alertmanager: string} & ExpireReport)

/** `hydra silence expire`: the IDs checked (usage errors first), then each expired unless dryRun. */
export async function silenceExpire(cfg: HydraConfig, ids: string[], options: {dryRun?: boolean} = {}): Promise<SilenceExpireReport> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) throw new UserError('give the ID of at least one silence', {hint: 'hydra silence list shows the IDs'})
  for (const id of unique) checkSilenceId(id)
  const endpoint = requireAlertmanager(cfg)
  if (options.dryRun) return {dryRun: true, alertmanager: endpoint.baseUrl, results: unique.map((id) => ({id, expired: false}))}
  return {dryRun: false, alertmanager: endpoint.baseUrl, ...(await withAlertmanager(endpoint, (am) => expireSilences(am, unique)))}
}

/** `hydra silence list`: active and pending silences (all: expired too), soonest to end first. */
export async function silenceList(cfg: HydraConfig, options: {all: boolean}): Promise<{alertmanager: string; silences: SilenceRow[]}> {
  return withAlertmanager(requireAlertmanager(cfg), async (am) => ({alertmanager: am.baseUrl, silences: silenceRows(await am.silences(), options)}))
}
