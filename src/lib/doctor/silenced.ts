/**
 * A failed check whose alerts an operator has silenced in Alertmanager (`hydra silence add`) is
 * reported as silenced — by whom, why, until when — instead of as an unexplained failure. It stays
 * a failure: the exit code, `hydra_check_up` and the verdict's problem count do not change (the
 * fault is real; the silence only says someone knows). Silences are read once per run
 * (GET /api/v2/silences) and matched the way Alertmanager matches them (alertmanager/matchers.ts)
 * against the labels of the alerts the failure raises:
 *
 * - a check that knows them (e.g. alerts:prometheus, the firing alerts) gives them as
 *   `alertLabels`: it is silenced when every one of them is;
 * - otherwise the labels the rendered rules (`hydra rules render`) put on the alert for the same
 *   fault: `node`, the exporter's `instance` and `job`, the alert's name, and hydra's own
 *   HydraCheckFailing{check,node,service} (docs/hydra-cron-alerts.yml): it is silenced when a
 *   silence matches any of them.
 */
import {AlertmanagerClient, type AmSilence} from '../alertmanager/api.js'
import {activeSilences, silenceMatches} from '../alertmanager/matchers.js'
import {formatMatcher} from '../alertmanager/silences.js'
import type {HydraConfig, ResolvedExporter} from '../config/resolve.js'
import {errorText} from './outcomes.js'
import type {CheckResult, SilenceRef} from './model.js'

/** How the run's silences were read: once, said once. */
export interface SilencesRead {
  /** read: Alertmanager answered; not_configured: no services.alertmanager; unreachable: it did not answer; not_needed: nothing failed */
  status: 'read' | 'not_configured' | 'unreachable' | 'not_needed'
  /** active silences at the time of the run */
  active: number
  error?: string
}

/**
 * The alert names hydra's rendered rules (src/lib/rules/catalogue.ts) raise for the fault a check
 * of this kind finds; the node-chain kinds depend on whether the exporter is the node exporter.
 */
function alertNames(kind: string, r: Pick<CheckResult, 'id' | 'service'>, exporter?: ResolvedExporter): string[] {
  switch (kind) {
    case 'ssh':
      return ['NodeExporterDown']
    case 'exporter':
    case 'firewall':
    case 'fetch':
    case 'target':
      return [exporter?.name === 'node' ? 'NodeExporterDown' : 'TargetDown']
    case 'disk':
      return ['RootDiskSpaceLow']
    case 'memory':
      return ['MemoryAvailableLow']
    case 'rules':
      return ['PrometheusRuleFailures']
    case 'retention':
      return ['PrometheusTsdbNearSizeRetention']
    case 'logs':
      return ['LokiNotIngesting']
    case 'backup':
      return ['HydraDashboardBackupStale']
    case 'health':
      return r.service === 'loki' ? ['LokiNotReady'] : []
    default:
      return []
  }
}

/** The label sets of the alerts a failed check raises (see the file comment). Pure. */
export function failureAlertLabels(cfg: HydraConfig, r: CheckResult): Record<string, string>[] {
  if (r.alertLabels?.length) return r.alertLabels
  const subject = r.id.slice(r.id.indexOf(':') + 1)
  const exporters = cfg.nodes.flatMap((n) => n.exporters)
  const exporter = exporters.find((e) => e.id === subject) ?? (r.node ? exporters.find((e) => e.node === r.node && e.name === 'node') : undefined)
  const base: Record<string, string> = {
    ...(r.node ? {node: r.node} : {}),
    ...(r.service ? {service: r.service} : {}),
    ...(exporter ? {instance: `${exporter.address}:${exporter.port}`, job: exporter.job} : {}),
  }
  const own = {alertname: 'HydraCheckFailing', check: r.id, ...(r.node ? {node: r.node} : {}), ...(r.service ? {service: r.service} : {})}
  return [own, ...alertNames(r.kind, r, exporter).map((alertname) => ({alertname, ...base}))]
}

function ref(s: AmSilence): SilenceRef {
  return {id: s.id, createdBy: s.createdBy, comment: s.comment, endsAt: s.endsAt, matchers: s.matchers.map(formatMatcher).join(', ')}
}

/** The active silences that mute a failed check, or [] (see the file comment for the rule). Pure. */
export function silencesOf(cfg: HydraConfig, r: CheckResult, silences: readonly AmSilence[]): SilenceRef[] {
  if (r.status !== 'fail' || silences.length === 0) return []
  const sets = failureAlertLabels(cfg, r)
  const matching = sets.map((labels) => silences.filter((s) => silenceMatches(s, labels)))
  const muted = r.alertLabels?.length ? matching.every((m) => m.length > 0) : matching.some((m) => m.length > 0)
  if (!muted) return []
  return [...new Map(matching.flat().map((s) => [s.id, ref(s)])).values()]
}

/** The results with `silenced` set on each failure an active silence mutes. Pure. */
export function markSilenced(cfg: HydraConfig, results: CheckResult[], silences: readonly AmSilence[], now: Date = new Date()): CheckResult[] {
  const active = activeSilences(silences, now)
  return results.map((r) => {
    const silenced = silencesOf(cfg, r, active)
    return silenced.length > 0 ? {...r, silenced} : r
  })
}

/**
 * Alertmanager's silences, once, within the run's limits. No Alertmanager in the config, or one
 * that does not answer, means no silences: the report says which, once; it is never a check failure
 * of its own (health:alertmanager reports an Alertmanager that is down).
 */
export async function readSilences(cfg: HydraConfig, options: {signal: AbortSignal; timeoutMs: number}): Promise<{read: SilencesRead; silences: AmSilence[]}> {
  if (!cfg.alertmanager) return {read: {status: 'not_configured', active: 0}, silences: []}
  const am = new AlertmanagerClient(cfg.alertmanager)
  try {
    const silences = await am.silences({signal: options.signal, timeoutMs: Math.min(options.timeoutMs, cfg.alertmanager.timeoutMs), retries: 0})
    if (!Array.isArray(silences)) throw new Error('GET /api/v2/silences did not answer a list')
    return {read: {status: 'read', active: activeSilences(silences).length}, silences}
  } catch (error) {
    return {read: {status: 'unreachable', active: 0, error: `${am.baseUrl}: ${errorText(error)}`}, silences: []}
  } finally {
    await am.close().catch(() => undefined)
  }
}

/** "silenced by typhon until 2026-11-30 22:10 UTC: reboot" (one per distinct who/why/until). Pure. */
export function silencedText(refs: readonly SilenceRef[]): string[] {
  const seen = new Map<string, SilenceRef[]>()
  for (const s of refs) {
    const key = JSON.stringify([s.createdBy, s.comment, s.endsAt])
    seen.set(key, [...(seen.get(key) ?? []), s])
  }
  return [...seen.values()].map((group) => {
    const s = group[0]!
    const until = new Date(s.endsAt).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC')
    return `silenced by ${s.createdBy} until ${until}: ${JSON.stringify(s.comment)} (silence ${group.map((g) => g.id).join(', ')})`
  })
}
