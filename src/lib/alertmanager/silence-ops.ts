/**
 * The silence commands' one call each: create a plan's silences all-or-nothing, expire many IDs
 * with a per-ID result.
 */
import type {HydraConfig, ResolvedEndpoint} from '../config/resolve.js'
import {ExitCode, HydraError, UserError, type ExitCodeValue} from '../errors.js'
import type {AlertmanagerClient} from './api.js'
import {createSilence, expireSilence, type SilencePlan} from './silences.js'

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
