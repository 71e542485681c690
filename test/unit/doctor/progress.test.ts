/**
 * Doctor's progress lines end with what the report says: a group holding a check that a pass after
 * the run may change (alerts:prometheus, whose explained alerts are folded away) ends with the
 * run's final results, never with a problem the report no longer has.
 */
import {describe, expect, it} from 'vitest'

import type {Check, CheckResult} from '../../../src/lib/doctor/model.js'
import {trackProgress} from '../../../src/lib/doctor/progress.js'
import type {Progress} from '../../../src/lib/output/progress.js'

function check(id: string, group: string, extra: Partial<Check> = {}): Check {
  return {id, kind: id.split(':')[0]!, group, title: id, dependsOn: [], timeoutMs: 1000, run: async () => ({status: 'ok', detail: ''}), ...extra}
}
function result(c: Check, status: CheckResult['status'], cause?: string): CheckResult {
  return {id: c.id, kind: c.kind, group: c.group, title: c.title, status, detail: '', ...(cause ? {cause} : {}), durationMs: 1}
}
/** A Progress that records each line's end. */
function recorder() {
  const ends = new Map<number, string>()
  const progress: Progress = {
    finished: Promise.resolve(),
    close: async () => {},
    line: (i) => ({title: () => {}, done: (t) => ends.set(i, `done ${t}`), fail: (m) => ends.set(i, `fail ${m}`)}),
  }
  return {progress, ends}
}

describe('trackProgress', () => {
  const exporter = check('exporter:hydra-compute/node', 'hydra-compute')
  const health = check('health:prometheus', 'prometheus')
  const alerts = check('alerts:prometheus', 'prometheus', {settlesAfterRun: true})
  const checks = [exporter, health, alerts]

  it('a group ends when its last check is in, unless a check of it settles after the run', () => {
    const {progress, ends} = recorder()
    const on = trackProgress(checks, progress)
    on({type: 'done', check: exporter, result: result(exporter, 'fail', 'unit_inactive')})
    expect(ends.get(0)).toBe('fail hydra-compute: 1/1 checked, 1 failed: exporter:hydra-compute/node unit_inactive')
    on({type: 'done', check: health, result: result(health, 'ok')})
    on({type: 'done', check: alerts, result: result(alerts, 'fail', 'alerts_firing')})
    // all of prometheus's checks are in, but alerts:prometheus may still be folded: not ended yet
    expect(ends.has(1)).toBe(false)
    // the run's final results: the firing alert was explained by the exporter's failure
    on({type: 'settled', results: [result(exporter, 'fail', 'unit_inactive'), result(health, 'ok'), result(alerts, 'ok')]})
    expect(ends.get(1)).toBe('done prometheus: 2/2 checked')
    expect(ends.get(0)).toBe('fail hydra-compute: 1/1 checked, 1 failed: exporter:hydra-compute/node unit_inactive')
  })

  it('an alert nothing explains still ends its group failed', () => {
    const {progress, ends} = recorder()
    const on = trackProgress(checks, progress)
    on({type: 'settled', results: [result(exporter, 'ok'), result(health, 'ok'), result(alerts, 'fail', 'alerts_firing')]})
    expect(ends.get(1)).toBe('fail prometheus: 2/2 checked, 1 failed: alerts:prometheus alerts_firing')
  })

  it("a group with a node's Docker fault ends with the run: the fold may leave it with no problem", () => {
    const cadvisor = check('exporter:hydra-storage/cadvisor', 'hydra-storage')
    const driver = check('logdriver:loki', 'docker')
    const {progress, ends} = recorder()
    const on = trackProgress([cadvisor, driver], progress)
    on({type: 'done', check: cadvisor, result: result(cadvisor, 'fail', 'docker_down')})
    on({type: 'done', check: driver, result: result(driver, 'fail', 'docker_down')})
    expect(ends.size).toBe(0)
    on({type: 'settled', results: [result(cadvisor, 'fail', 'docker_down'), result(driver, 'skipped')]})
    expect(ends.get(0)).toBe('fail hydra-storage: 1/1 checked, 1 failed: exporter:hydra-storage/cadvisor docker_down')
    expect(ends.get(1)).toMatch(/^done docker: 1\/1 checked/)
  })
})
