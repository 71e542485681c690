/** The verdict line and the textfile metrics of a run. */
import {describe, expect, it} from 'vitest'

import {doctorMetrics} from '../../../src/lib/doctor/metrics.js'
import {summarize, verdictLine, type DoctorReport} from '../../../src/lib/doctor/run.js'
import {renderMetrics} from '../../../src/lib/output/textfile.js'

describe('verdict and metrics', () => {
  const results = [
    {id: 'ssh:a', kind: 'ssh', group: 'a', node: 'a', title: '', status: 'ok', detail: '', durationMs: 1},
    {id: 'exporter:a/node', kind: 'exporter', group: 'a', node: 'a', title: '', status: 'fail', cause: 'unit_inactive', detail: '', durationMs: 2},
    {id: 'fetch:a/node', kind: 'fetch', group: 'a', node: 'a', title: '', status: 'skipped', detail: 'skipped: exporter:a/node failed', durationMs: 0},
    {id: 'retention:prometheus', kind: 'retention', group: 'prometheus', service: 'prometheus', title: '', status: 'warn', cause: 'retention_mismatch', detail: '', durationMs: 3},
  ] as const satisfies readonly import('../../../src/lib/doctor/model.js').CheckResult[]

  it('one line: the problems by id and cause, then warnings and skips', () => {
    expect(verdictLine([...results])).toBe('hydra: 1 problem: exporter:a/node unit_inactive (1 warning, 1 skipped)')
    expect(verdictLine([results[0], results[3]])).toBe('hydra: all 2 checks passed (1 warning)')
    expect(verdictLine([results[0]])).toBe('hydra: all 1 check passed')
  })

  it('hydra_check_up: 1 ok/warn, 0 fail, skipped left out; the run metrics', () => {
    const report: DoctorReport = {cluster: 'c', startedAt: '2026-11-24T00:00:00.000Z', durationMs: 1500, deadlineMs: 30_000, checks: [...results], summary: summarize([...results]), verdict: '', exitCode: 1}
    const text = renderMetrics(doctorMetrics(report))
    expect(text).toContain('hydra_check_up{check="ssh:a",node="a"} 1\n')
    expect(text).toContain('hydra_check_up{check="exporter:a/node",node="a"} 0\n')
    expect(text).toContain('hydra_check_up{check="retention:prometheus",service="prometheus"} 1\n')
    expect(text).not.toContain('fetch:a/node')
    expect(text).toContain('hydra_doctor_last_run_timestamp_seconds 1795478400\n')
    expect(text).toContain('hydra_doctor_duration_seconds 1.5\n')
    expect(text).toContain('hydra_doctor_problems 1\n')
    expect(text).toContain('hydra_doctor_checks{status="skipped"} 1\n')
  })
})
