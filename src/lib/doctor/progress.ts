/** A doctor run's progress: one line per group (node or service), fed by the runner's events. */
import type {Progress} from '../output/progress.js'
import type {Check, CheckResult} from './model.js'
import {groupProgressTitle} from './render.js'
import type {DoctorEvent} from './runner.js'

/** The groups of the checks, in order: the titles to start the progress with. */
export function progressGroups(checks: readonly Check[]): {groups: string[]; titles: string[]} {
  const groups = [...new Set(checks.map((c) => c.group))]
  return {groups, titles: groups.map((g) => groupProgressTitle(g, checks.filter((c) => c.group === g).length, []))}
}

/** The runner's onEvent: updates the group's line, and ends it (failed if a check failed) when its last check is in. */
export function trackProgress(checks: readonly Check[], progress: Progress): (event: DoctorEvent) => void {
  const {groups} = progressGroups(checks)
  const state = new Map(groups.map((g, i) => [g, {index: i, total: checks.filter((c) => c.group === g).length, done: [] as CheckResult[]}]))
  return (e) => {
    if (e.type !== 'done') return
    const s = state.get(e.check.group)
    if (!s) return
    s.done.push(e.result)
    const line = progress.line(s.index)
    const title = groupProgressTitle(e.check.group, s.total, s.done)
    line.title(title)
    if (s.done.length < s.total) return
    const failed = s.done.filter((r) => r.status === 'fail')
    if (failed.length) line.fail(`${title}: ${failed.map((r) => `${r.id} ${r.cause ?? ''}`).join(', ')}`)
    else line.done(title)
  }
}
