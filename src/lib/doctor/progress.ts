/** A doctor run's progress: one line per group (node or service), fed by the runner's events. */
import type {Progress} from '../output/progress.js'
import {DOCKER_DAEMON_FAULTS, type Check, type CheckResult} from './model.js'
import {groupProgressTitle} from './render.js'
import type {DoctorEvent} from './runner.js'

/** The groups of the checks, in order: the titles to start the progress with. */
export function progressGroups(checks: readonly Check[]): {groups: string[]; titles: string[]} {
  const groups = [...new Set(checks.map((c) => c.group))]
  return {groups, titles: groups.map((g) => groupProgressTitle(g, checks.filter((c) => c.group === g).length, []))}
}

/**
 * The runner's onEvent: updates the group's line, and ends it (failed if a check failed) when its
 * last check is in — or, for a group holding a check a pass after the run may change
 * (settlesAfterRun: alerts:prometheus, whose explained alerts are folded away) or a node fault
 * (node-faults.ts), with the run's final results, so the line never shows a problem the report
 * does not have.
 */
export function trackProgress(checks: readonly Check[], progress: Progress): (event: DoctorEvent) => void {
  const {groups} = progressGroups(checks)
  const state = new Map(
    groups.map((g, i) => {
      const mine = checks.filter((c) => c.group === g)
      return [g, {index: i, total: mine.length, settles: mine.some((c) => c.settlesAfterRun), done: [] as CheckResult[]}]
    }),
  )
  const end = (group: string, s: {index: number; total: number}, results: CheckResult[]) => {
    const line = progress.line(s.index)
    const title = groupProgressTitle(group, s.total, results)
    const failed = results.filter((r) => r.status === 'fail')
    if (failed.length) line.fail(`${title}: ${failed.map((r) => `${r.id} ${r.cause ?? ''}`).join(', ')}`)
    else line.done(title)
  }
  return (e) => {
    if (e.type === 'settled') {
      for (const [group, s] of state) if (s.settles) end(group, s, e.results.filter((r) => r.group === group))
      return
    }
    if (e.type !== 'done') return
    const s = state.get(e.check.group)
    if (!s) return
    s.done.push(e.result)
    progress.line(s.index).title(groupProgressTitle(e.check.group, s.total, s.done))
    // a group with a node fault (its Docker daemon down), or a refused service (maybe a container of
    // such a node), ends with the run: node-faults.ts may fold it
    if (s.done.length === s.total && !s.settles) {
      if (s.done.some((r) => DOCKER_DAEMON_FAULTS.has(r.cause ?? '') || (r.status === 'fail' && r.cause === 'refused'))) s.settles = true
      else end(e.check.group, s, s.done)
    }
  }
}
