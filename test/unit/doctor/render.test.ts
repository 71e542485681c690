/** The doctor report for a person, and the progress line of a group: pure functions. */
import {describe, expect, it} from 'vitest'

import type {CheckResult} from '../../../src/lib/doctor/model.js'
import {groupProgressTitle, renderDoctorReport} from '../../../src/lib/doctor/render.js'
import {summarize, verdictLine, type DoctorReport} from '../../../src/lib/doctor/run.js'
import {makeStyler} from '../../../src/lib/output/terminal.js'

const results: CheckResult[] = [
  {id: 'ssh:a', kind: 'ssh', group: 'a', node: 'a', title: '', status: 'ok', detail: 'connected', durationMs: 1},
  {id: 'exporter:a/node', kind: 'exporter', group: 'a', node: 'a', title: '', status: 'fail', cause: 'unit_inactive', detail: 'unit x is not active', evidence: ['systemd: inactive'], hint: 'sudo systemctl restart x', durationMs: 2},
  {id: 'fetch:a/node', kind: 'fetch', group: 'a', node: 'a', title: '', status: 'skipped', detail: 'skipped: exporter:a/node failed', durationMs: 0},
]
const report = (checks: CheckResult[]): DoctorReport => ({cluster: 'c', startedAt: '2026-11-24T00:00:00.000Z', durationMs: 1234, deadlineMs: 30_000, checks, summary: summarize(checks), verdict: verdictLine(checks), exitCode: 1})

describe('renderDoctorReport', () => {
  it('without a terminal: each problem with its evidence and hint, then the verdict', () => {
    expect(renderDoctorReport(report(results), {style: makeStyler(false)})).toBe(
      [
        'FAIL exporter:a/node: unit_inactive: unit x is not active',
        '  evidence: systemd: inactive',
        '  hint: sudo systemctl restart x',
        '',
        'hydra: 1 problem: exporter:a/node unit_inactive (1 skipped) in 1.2s',
      ].join('\n'),
    )
  })
  it('all well: the verdict alone, green on a colour terminal', () => {
    expect(renderDoctorReport(report([results[0]!]), {style: makeStyler(false)})).toBe('hydra: all 1 check passed in 1.2s')
    expect(renderDoctorReport(report([results[0]!]), {width: 80, style: makeStyler(true)})).toBe('\u001B[32mhydra: all 1 check passed\u001B[39m in 1.2s')
  })
  it('on a terminal: the same lines, wrapped to its width with their continuation indented', () => {
    const long = {...results[1]!, hint: 'sudo systemctl restart prometheus-node-exporter.service, then check it stays up with journalctl'}
    const text = renderDoctorReport(report([long]), {width: 40, style: makeStyler(false)})
    for (const l of text.split('\n')) expect(l.length, l).toBeLessThanOrEqual(40)
    expect(text).toMatch(/\n {2}hint: sudo systemctl restart.*\n {8}\S/)
    expect(text).toMatch(/\n\nhydra: 1 problem: exporter:a\/node\n {2}unit_inactive in 1\.2s$/)
  })
})

describe('groupProgressTitle', () => {
  it('counts what is done, failed and skipped', () => {
    expect(groupProgressTitle('a', 5, [])).toBe('a: 0/5 checked')
    expect(groupProgressTitle('a', 5, results)).toBe('a: 3/5 checked, 1 failed, 1 skipped')
  })
})
