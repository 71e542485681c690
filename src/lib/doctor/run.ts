/**
 * Runs a catalogue of checks: every check as soon as the checks it depends on have passed, all
 * of them concurrently otherwise, each under its own timeout, and the whole run under ONE
 * deadline. A check still running at the deadline is reported `fail` with cause `deadline`; the
 * run never waits past it. Shared work (one SSH connection per node, one targets fetch, one
 * firewall read per node) lives in DoctorResources and is closed at the end.
 */
import type {HydraConfig} from '../config/resolve.js'
import {BugError, ExitCode, HydraError, type ExitCodeValue} from '../errors.js'
import type {Metric} from '../output/textfile.js'
import {buildCatalogue, selectChecks, type SelectOptions} from '../checks/catalogue.js'
import {NODE_UNREACHABLE, passed, type Check, type CheckOutcome, type CheckResult} from '../checks/model.js'
import {DoctorResources} from '../checks/resources.js'

export const DEFAULT_DEADLINE_MS = 30_000

export type DoctorEvent = {type: 'start'; check: Check} | {type: 'done'; check: Check; result: CheckResult}

export interface RunChecksOptions {
  cfg: HydraConfig
  deadlineMs: number
  onEvent?: (event: DoctorEvent) => void
  /** for tests: resources other than the real ones */
  resources?: (signal: AbortSignal, deadlineAt: number) => DoctorResources
}

function resultOf(check: Check, outcome: CheckOutcome | {status: 'skipped'; detail: string; cause?: string}, durationMs: number): CheckResult {
  return {
    id: check.id,
    kind: check.kind,
    group: check.group,
    ...(check.node ? {node: check.node} : {}),
    ...(check.service ? {service: check.service} : {}),
    title: check.title,
    status: outcome.status,
    detail: outcome.detail,
    ...(outcome.cause ? {cause: outcome.cause} : {}),
    ...('evidence' in outcome && outcome.evidence?.length ? {evidence: outcome.evidence} : {}),
    ...('hint' in outcome && outcome.hint ? {hint: outcome.hint} : {}),
    durationMs: Math.round(durationMs),
  }
}

/** A check that threw: a HydraError keeps its code and hint; anything else is a bug, said so. */
function thrownOutcome(error: unknown): CheckOutcome {
  if (error instanceof HydraError) return {status: 'fail', cause: error.code, detail: error.message, ...(error.hint ? {hint: error.hint} : {})}
  const message = error instanceof Error ? error.message : String(error)
  return {status: 'fail', cause: 'bug', detail: `the check crashed: ${message}`, hint: 'this is a bug in hydra; please report it with the output of --json'}
}

/** Resolves when the signal aborts (with why); `cancel` removes the listener. */
function whenAborted(signal: AbortSignal, deadline: AbortSignal, timeoutMs: number): {promise: Promise<CheckOutcome>; cancel: () => void} {
  let onAbort: () => void = () => undefined
  const promise = new Promise<CheckOutcome>((resolve) => {
    onAbort = () =>
      resolve(
        deadline.aborted
          ? {status: 'fail', cause: 'deadline', detail: 'still running at the deadline', hint: 'raise --deadline, or look at why this check is slow (a node or service that does not answer)'}
          : {status: 'fail', cause: 'timeout', detail: `did not finish within ${timeoutMs}ms`},
      )
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, {once: true})
  })
  return {promise, cancel: () => signal.removeEventListener('abort', onAbort)}
}

/** Run the checks; every result is in by the deadline (plus the time to close connections). */
export async function runChecks(checks: Check[], options: RunChecksOptions): Promise<CheckResult[]> {
  const started = Date.now()
  const deadlineAt = started + options.deadlineMs
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), options.deadlineMs)
  const resources = options.resources?.(deadline.signal, deadlineAt) ?? new DoctorResources(options.cfg, deadline.signal, deadlineAt)
  const byId = new Map(checks.map((c) => [c.id, c]))
  const running = new Map<string, Promise<CheckResult>>()
  const finished = new Map<string, CheckResult>()

  const start = (check: Check, path: string[]): Promise<CheckResult> => {
    const existing = running.get(check.id)
    if (existing) return existing
    if (path.includes(check.id)) throw new BugError(`check dependency cycle: ${[...path, check.id].join(' → ')}`)
    const deps = check.dependsOn.map((id) => byId.get(id)).filter((c): c is Check => Boolean(c))
    const reach = check.reachability ? byId.get(check.reachability) : undefined
    const promise = (async (): Promise<CheckResult> => {
      const depResults = await Promise.all(deps.map((d) => start(d, [...path, check.id])))
      const reachResult = reach ? await start(reach, [...path, check.id]) : undefined
      const blocked = depResults.find((r) => !passed(r))
      if (blocked) {
        // name the root failure, not a chain of skips
        const root = blocked.status === 'skipped' ? (/^skipped: (\S+) failed/.exec(blocked.detail)?.[1] ?? blocked.id) : blocked.id
        return resultOf(check, {status: 'skipped', detail: `skipped: ${root} failed`}, 0)
      }
      if (reachResult?.cause === NODE_UNREACHABLE) return resultOf(check, {status: 'skipped', detail: `skipped: ${reachResult.id} failed`}, 0)
      if (deadline.signal.aborted) {
        return resultOf(check, {status: 'fail', cause: 'deadline', detail: 'not started before the deadline', hint: 'raise --deadline'}, 0)
      }
      options.onEvent?.({type: 'start', check})
      const t0 = performance.now()
      const signal = AbortSignal.any([deadline.signal, AbortSignal.timeout(check.timeoutMs)])
      const aborted = whenAborted(signal, deadline.signal, check.timeoutMs)
      let outcome: CheckOutcome
      try {
        outcome = await Promise.race([
          check.run({cfg: options.cfg, signal, resources, outcomeOf: (id) => finished.get(id)}).catch(thrownOutcome),
          aborted.promise,
        ])
      } finally {
        aborted.cancel()
      }
      return resultOf(check, outcome, performance.now() - t0)
    })().then((result) => {
      finished.set(check.id, result)
      options.onEvent?.({type: 'done', check, result})
      return result
    })
    running.set(check.id, promise)
    return promise
  }

  try {
    return await Promise.all(checks.map((c) => start(c, [])))
  } finally {
    clearTimeout(timer)
    // abort whatever shared work is left (a targets fetch), then close every connection
    deadline.abort()
    await resources.close()
  }
}

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
  exitCode: ExitCodeValue
}

export interface DoctorOptions extends SelectOptions {
  deadlineMs?: number
  onEvent?: (event: DoctorEvent) => void
  /** the checks to run (from planDoctor); default: the whole catalogue, filtered by only/skip */
  checks?: Check[]
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
  const problems = results.filter((r) => r.status === 'fail').map((r) => `${r.id} ${r.cause ?? 'failed'}`)
  return `hydra: ${s.fail} problem${s.fail === 1 ? '' : 's'}: ${problems.join(', ')}${extras ? ` (${extras})` : ''}`
}

/** `hydra doctor`: the catalogue for the config, filtered, run under the deadline. */
export async function runDoctor(cfg: HydraConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS
  const checks = options.checks ?? planDoctor(cfg, options)
  const startedAt = new Date()
  const t0 = performance.now()
  const results = await runChecks(checks, {cfg, deadlineMs, onEvent: options.onEvent})
  const summary = summarize(results)
  return {
    cluster: cfg.cluster,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    deadlineMs,
    checks: results,
    summary,
    verdict: verdictLine(results),
    exitCode: summary.fail > 0 ? ExitCode.FAILURE : ExitCode.OK,
  }
}

/**
 * Textfile-collector metrics of a run. hydra_check_up is 1 for ok and warn, 0 for fail; skipped
 * checks are left out (their cause is the failed check they depend on, which is already 0, and a
 * series that vanishes is what `absent()` alerting expects). Pure.
 */
export function doctorMetrics(report: DoctorReport, runAt: Date = new Date(report.startedAt)): Metric[] {
  return [
    {
      name: 'hydra_check_up',
      help: 'Whether a hydra doctor check passed (1: ok or warn) or failed (0). Skipped checks are omitted.',
      type: 'gauge',
      samples: report.checks
        .filter((c) => c.status !== 'skipped')
        .map((c) => ({labels: {check: c.id, node: c.node ?? '', service: c.service ?? ''}, value: c.status === 'fail' ? 0 : 1})),
    },
    {name: 'hydra_doctor_last_run_timestamp_seconds', help: 'When hydra doctor last ran.', type: 'gauge', samples: [{value: Math.floor(runAt.getTime() / 1000)}]},
    {name: 'hydra_doctor_duration_seconds', help: 'How long the last hydra doctor run took.', type: 'gauge', samples: [{value: report.durationMs / 1000}]},
    {name: 'hydra_doctor_problems', help: 'Checks that failed in the last hydra doctor run.', type: 'gauge', samples: [{value: report.summary.fail}]},
    {
      name: 'hydra_doctor_checks',
      help: 'Checks of the last hydra doctor run, by status.',
      type: 'gauge',
      samples: (['ok', 'warn', 'fail', 'skipped'] as const).map((status) => ({labels: {status}, value: report.summary[status]})),
    },
  ]
}
