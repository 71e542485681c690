/**
 * `hydra doctor`: the catalogue for the config (catalogue/), filtered (select.ts), run under one
 * deadline (runner.ts), summed up in one report that carries its own exit code.
 */
import {withSharedConnections} from '../clients/http/shared.js'
import type {HydraConfig} from '../config/resolve.js'
import {ExitCode, type ExitCodeValue} from '../errors.js'
import {buildCatalogue} from './catalogue/index.js'
import {foldExplainedAlerts} from './explained.js'
import {foldNodeFaults} from './node-faults.js'
import type {Check, CheckResult} from './model.js'
import {runChecks, type DoctorEvent} from './runner.js'
import {selectChecks, type SelectOptions} from './select.js'
import {markSilenced, readSilences, type SilencesRead} from './silenced.js'

export const DEFAULT_DEADLINE_MS = 30_000
/** How long the silences may still take once the checks are done (they were asked for at the start). */
export const SILENCES_GRACE_MS = 1000

export interface DoctorSummary {
  total: number
  ok: number
  warn: number
  fail: number
  skipped: number
}

export interface DoctorReport {
  cluster: string
  startedAt: string
  durationMs: number
  deadlineMs: number
  checks: CheckResult[]
  summary: DoctorSummary
  verdict: string
  /** Alertmanager's silences, read once: failures they mute carry `silenced` (silenced.ts) */
  silences?: SilencesRead
  exitCode: ExitCodeValue
}

export interface DoctorOptions extends SelectOptions {
  deadlineMs?: number
  onEvent?: (event: DoctorEvent) => void
  /** the checks to run (from planDoctor); default: the whole catalogue, filtered by only/skip */
  checks?: Check[]
  /** for tests: the silences instead of Alertmanager's */
  readSilences?: typeof readSilences
}

/** The checks a run will make, so a caller can lay out its progress display before the run. */
export function planDoctor(cfg: HydraConfig, options: SelectOptions = {}): Check[] {
  return selectChecks(buildCatalogue(cfg), options)
}

export function summarize(results: CheckResult[]): DoctorSummary {
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length
  return {total: results.length, ok: count('ok'), warn: count('warn'), fail: count('fail'), skipped: count('skipped')}
}

/** The one line a person or a cron mail reads first. Pure. */
export function verdictLine(results: CheckResult[]): string {
  const s = summarize(results)
  const extras = [s.warn ? `${s.warn} warning${s.warn === 1 ? '' : 's'}` : '', s.skipped ? `${s.skipped} skipped` : ''].filter(Boolean).join(', ')
  if (s.fail === 0) {
    const ran = s.ok + s.warn
    return `hydra: all ${ran} check${ran === 1 ? '' : 's'} passed${extras ? ` (${extras})` : ''}`
  }
  const problems = results.filter((r) => r.status === 'fail').map((r) => `${r.id} ${r.cause ?? 'failed'}${r.silenced?.length ? ' (silenced)' : ''}`)
  return `hydra: ${s.fail} problem${s.fail === 1 ? '' : 's'}: ${problems.join(', ')}${extras ? ` (${extras})` : ''}`
}

/** `hydra doctor`: the catalogue for the config, filtered, run under the deadline. */
export function runDoctor(cfg: HydraConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  // one keep-alive pool per origin for the whole run: the checks each make their own clients
  return withSharedConnections(() => doctorRun(cfg, options))
}

async function doctorRun(cfg: HydraConfig, options: DoctorOptions): Promise<DoctorReport> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS
  const checks = options.checks ?? planDoctor(cfg, options)
  const startedAt = new Date()
  const t0 = performance.now()
  // the silences are read alongside the checks, within the same deadline, and waited for only if something failed
  const stopSilences = new AbortController()
  const silencesRead = (options.readSilences ?? readSilences)(cfg, {signal: AbortSignal.any([stopSilences.signal, AbortSignal.timeout(deadlineMs)]), timeoutMs: deadlineMs})
  // a firing alert that a failed check explains is that check's evidence, not a second problem
  // and a node's Docker daemon that is down is one problem, however many containers it fails
  const checked = foldNodeFaults(cfg, foldExplainedAlerts(cfg, await runChecks(checks, {cfg, deadlineMs, onEvent: options.onEvent})))
  let silences: SilencesRead = {status: 'not_needed', active: 0}
  let results = checked
  if (checked.some((r) => r.status === 'fail')) {
    const grace = setTimeout(() => stopSilences.abort(), SILENCES_GRACE_MS)
    const read = await silencesRead
    clearTimeout(grace)
    silences = read.read
    results = markSilenced(cfg, checked, read.silences)
  } else stopSilences.abort()
  options.onEvent?.({type: 'settled', results})
  const summary = summarize(results)
  return {
    cluster: cfg.cluster,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    deadlineMs,
    checks: results,
    summary,
    verdict: verdictLine(results),
    silences,
    // a silenced failure is still a failure: the silence explains it, it does not make it pass
    exitCode: summary.fail > 0 ? ExitCode.FAILURE : ExitCode.OK,
  }
}
