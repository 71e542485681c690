/**
 * Runs a catalogue of checks: every check as soon as the checks it depends on have passed, all
 * of them concurrently otherwise, each under its own timeout, and the whole run under ONE
 * deadline. A check still running at the deadline is reported `fail` with cause `deadline`; the
 * run never waits past it. Shared work (one SSH connection per node, one targets fetch, one
 * firewall read per node) lives in DoctorResources and is closed at the end.
 */
import {setMaxListeners} from 'node:events'

import type {HydraConfig} from '../config/resolve.js'
import {BugError, HydraError} from '../errors.js'
import {NODE_UNREACHABLE, passed, type Check, type CheckOutcome, type CheckResult} from './model.js'
import {NodeSlots} from './node-slots.js'
import {DoctorResources} from './resources.js'

export type DoctorEvent =
  | {type: 'start'; check: Check}
  | {type: 'done'; check: Check; result: CheckResult}
  /** the run's final results, after the passes that follow the checks (explained alerts, silences) */
  | {type: 'settled'; results: CheckResult[]}

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
    ...('alertLabels' in outcome && outcome.alertLabels?.length ? {alertLabels: outcome.alertLabels} : {}),
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
  // every check waiting for a node slot listens for the deadline, all at once (a run has some 50
  // checks): many listeners are the design here, not a leak, and Node's warning would reach stderr
  setMaxListeners(0, deadline.signal)
  const timer = setTimeout(() => deadline.abort(), options.deadlineMs)
  const resources = options.resources?.(deadline.signal, deadlineAt) ?? new DoctorResources(options.cfg, deadline.signal, deadlineAt)
  const byId = new Map(checks.map((c) => [c.id, c]))
  const slots = new NodeSlots(checks, options.cfg.concurrency)
  const running = new Map<string, Promise<CheckResult>>()
  const finished = new Map<string, CheckResult>()
  /** skipped check id → the id of the failed check at the root of its chain (data, never parsed from text) */
  const rootFailure = new Map<string, string>()
  const skip = (check: Check, root: string): CheckResult => {
    rootFailure.set(check.id, root)
    return resultOf(check, {status: 'skipped', detail: `skipped: ${root} failed`}, 0)
  }

  /** Run one check under its timeout, the deadline and (when given) `stop`. */
  const execute = async (check: Check, stop?: AbortSignal): Promise<CheckResult> => {
    options.onEvent?.({type: 'start', check})
    const t0 = performance.now()
    const signal = AbortSignal.any([deadline.signal, AbortSignal.timeout(check.timeoutMs), ...(stop ? [stop] : [])])
    const aborted = whenAborted(signal, deadline.signal, check.timeoutMs)
    let outcome: CheckOutcome
    try {
      outcome = await Promise.race([
        check.run({cfg: options.cfg, signal, resources, outcomeOf: (id) => finished.get(id), inRun: (id) => byId.has(id)}).catch(thrownOutcome),
        aborted.promise,
      ])
    } finally {
      aborted.cancel()
    }
    return resultOf(check, outcome, performance.now() - t0)
  }

  const start = (check: Check, path: string[]): Promise<CheckResult> => {
    const existing = running.get(check.id)
    if (existing) return existing
    if (path.includes(check.id)) throw new BugError(`check dependency cycle: ${[...path, check.id].join(' → ')}`)
    const deps = check.dependsOn.map((id) => byId.get(id)).filter((c): c is Check => Boolean(c))
    const reach = check.reachability ? byId.get(check.reachability) : undefined
    const promise = (async (): Promise<CheckResult> => {
      // the node's reachability is asked for now, but not waited on before the check starts (below)
      const reachPromise = reach ? start(reach, [...path, check.id]) : undefined
      const depResults = await Promise.all(deps.map((d) => start(d, [...path, check.id])))
      const blocked = depResults.find((r) => !passed(r))
      if (blocked) return skip(check, rootFailure.get(blocked.id) ?? blocked.id)
      const reached = reach ? finished.get(reach.id) : undefined
      if (reached?.cause === NODE_UNREACHABLE) return skip(check, rootFailure.get(reached.id) ?? reached.id)
      // at most defaults.concurrency nodes' reads at once (node-slots.ts); the wait is not the check's time
      const slotOrDeadline = whenAborted(deadline.signal, deadline.signal, 0)
      await Promise.race([slots.enter(check), slotOrDeadline.promise]).finally(slotOrDeadline.cancel)
      if (deadline.signal.aborted) {
        return resultOf(check, {status: 'fail', cause: 'deadline', detail: 'not started before the deadline', hint: 'raise --deadline'}, 0)
      }
      if (!reachPromise || reached) return execute(check)
      // The node's SSH check is still running. Waiting for it would put every SSH handshake in
      // front of the node's HTTP checks, so the check runs alongside it; its result counts only
      // once the node is known reachable. An unreachable node stops it and skips it, as before.
      const stop = new AbortController()
      const ran = execute(check, stop.signal)
      const first = await Promise.race([ran, reachPromise.then((r) => ({reach: r}))])
      const reachResult = 'reach' in first ? first.reach : await reachPromise
      if (reachResult.cause === NODE_UNREACHABLE) {
        stop.abort()
        return skip(check, rootFailure.get(reachResult.id) ?? reachResult.id)
      }
      return 'reach' in first ? ran : first
    })().then((result) => {
      slots.leave(check)
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
