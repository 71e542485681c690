/** The runner: dependencies, skips naming the root failure, per-check timeouts, one deadline, and the metrics. */
import {describe, expect, it} from 'vitest'

import type {Check, CheckOutcome} from '../../../src/lib/checks/model.js'
import type {DoctorResources} from '../../../src/lib/checks/resources.js'
import {doctorMetrics, runChecks, summarize, verdictLine, type DoctorReport} from '../../../src/lib/doctor/run.js'
import {renderMetrics} from '../../../src/lib/output/textfile.js'
import {labConfig} from './lab-config.js'

const cfg = labConfig()
let closed = 0
const resources = () => ({close: async () => void closed++}) as unknown as DoctorResources

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => clearTimeout(t))
  })

function check(id: string, outcome: CheckOutcome | (() => Promise<CheckOutcome>), extra: Partial<Check> = {}): Check {
  return {
    id,
    kind: 'health',
    group: id.split(':')[1] ?? id,
    title: id,
    dependsOn: [],
    timeoutMs: 5000,
    run: typeof outcome === 'function' ? outcome : async () => outcome,
    ...extra,
  }
}

const ok: CheckOutcome = {status: 'ok', detail: 'fine'}

describe('runChecks', () => {
  it('runs dependents after their dependencies and skips them, naming the root failure, when one fails', async () => {
    const order: string[] = []
    const results = await runChecks(
      [
        check('exporter:n/x', async () => (order.push('exporter'), {status: 'fail', cause: 'unit_inactive', detail: 'down', hint: 'restart'}), {dependsOn: ['ssh:n']}),
        check('ssh:n', async () => (order.push('ssh'), ok)),
        check('fetch:n/x', ok, {dependsOn: ['exporter:n/x']}),
        check('target:n/x', ok, {dependsOn: ['fetch:n/x']}),
      ],
      {cfg, deadlineMs: 5000, resources},
    )
    expect(order).toEqual(['ssh', 'exporter'])
    expect(results.map((r) => `${r.id} ${r.status} ${r.detail}`)).toEqual([
      'exporter:n/x fail down',
      'ssh:n ok fine',
      'fetch:n/x skipped skipped: exporter:n/x failed',
      'target:n/x skipped skipped: exporter:n/x failed',
    ])
    expect(results[0]).toMatchObject({cause: 'unit_inactive', hint: 'restart'})
  })

  it('a warning does not stop the checks after it', async () => {
    const results = await runChecks([check('a:x', {status: 'warn', detail: 'meh', cause: 'w'}), check('b:x', ok, {dependsOn: ['a:x']})], {cfg, deadlineMs: 5000, resources})
    expect(results[1]!.status).toBe('ok')
  })

  it('reachability: skipped only when the node is unreachable, not when SSH merely refuses the login', async () => {
    const unreachable = await runChecks(
      [check('ssh:n', {status: 'fail', cause: 'node_unreachable', detail: 'no answer'}), check('health:app', ok, {reachability: 'ssh:n'})],
      {cfg, deadlineMs: 5000, resources},
    )
    expect(unreachable[1]).toMatchObject({status: 'skipped', detail: 'skipped: ssh:n failed'})
    const refused = await runChecks(
      [check('ssh:n', {status: 'fail', cause: 'ssh_auth', detail: 'denied'}), check('health:app', ok, {reachability: 'ssh:n'})],
      {cfg, deadlineMs: 5000, resources},
    )
    expect(refused[1]!.status).toBe('ok')
  })

  it("a check past its own timeout fails with cause timeout; the others are not held up", async () => {
    const t0 = Date.now()
    const results = await runChecks(
      [check('slow:x', async () => (await sleep(5000), ok), {timeoutMs: 100}), check('fast:x', ok)],
      {cfg, deadlineMs: 5000, resources},
    )
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(results[0]).toMatchObject({status: 'fail', cause: 'timeout', detail: 'did not finish within 100ms'})
    expect(results[1]!.status).toBe('ok')
  })

  it('the whole run ends at the deadline: running checks fail with cause deadline, their dependents are skipped', async () => {
    const t0 = Date.now()
    closed = 0
    const results = await runChecks(
      [
        check('hang:x', async () => (await sleep(10_000), ok), {timeoutMs: 60_000}),
        check('after:x', ok, {dependsOn: ['hang:x']}),
        check('quick:x', ok),
      ],
      {cfg, deadlineMs: 300, resources},
    )
    const took = Date.now() - t0
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(1000)
    expect(results.map((r) => [r.id, r.status, r.cause ?? ''])).toEqual([
      ['hang:x', 'fail', 'deadline'],
      ['after:x', 'skipped', ''],
      ['quick:x', 'ok', ''],
    ])
    expect(closed).toBe(1)
  })

  it('a check that throws is a failure with its error, never a crash', async () => {
    const results = await runChecks(
      [
        check('boom:x', async () => {
          throw new TypeError('x is undefined')
        }),
      ],
      {cfg, deadlineMs: 1000, resources},
    )
    expect(results[0]).toMatchObject({status: 'fail', cause: 'bug', detail: 'the check crashed: x is undefined'})
  })
})

describe('verdict and metrics', () => {
  const results = [
    {id: 'ssh:a', kind: 'ssh', group: 'a', node: 'a', title: '', status: 'ok', detail: '', durationMs: 1},
    {id: 'exporter:a/node', kind: 'exporter', group: 'a', node: 'a', title: '', status: 'fail', cause: 'unit_inactive', detail: '', durationMs: 2},
    {id: 'fetch:a/node', kind: 'fetch', group: 'a', node: 'a', title: '', status: 'skipped', detail: 'skipped: exporter:a/node failed', durationMs: 0},
    {id: 'retention:prometheus', kind: 'retention', group: 'prometheus', service: 'prometheus', title: '', status: 'warn', cause: 'retention_mismatch', detail: '', durationMs: 3},
  ] as const satisfies readonly import('../../../src/lib/checks/model.js').CheckResult[]

  it('one line: the problems by id and cause, then warnings and skips', () => {
    expect(verdictLine([...results])).toBe('hydra: 1 problem: exporter:a/node unit_inactive (1 warning, 1 skipped)')
    expect(verdictLine([results[0], results[3]])).toBe('hydra: all 2 checks passed (1 warning)')
    expect(verdictLine([results[0]])).toBe('hydra: all 1 check passed')
  })

  it('hydra_check_up: 1 ok/warn, 0 fail, skipped left out; the run metrics', () => {
    const report: DoctorReport = {cluster: 'c', startedAt: '2026-11-24T00:00:00.000Z', durationMs: 1500, deadlineMs: 30_000, checks: [...results], summary: summarize([...results]), verdict: '', exitCode: 1}
    const text = renderMetrics(doctorMetrics(report))
    expect(text).toContain('hydra_check_up{check="ssh:a",node="a",service=""} 1\n')
    expect(text).toContain('hydra_check_up{check="exporter:a/node",node="a",service=""} 0\n')
    expect(text).toContain('hydra_check_up{check="retention:prometheus",node="",service="prometheus"} 1\n')
    expect(text).not.toContain('fetch:a/node')
    expect(text).toContain('hydra_doctor_last_run_timestamp_seconds 1795478400\n')
    expect(text).toContain('hydra_doctor_duration_seconds 1.5\n')
    expect(text).toContain('hydra_doctor_problems 1\n')
    expect(text).toContain('hydra_doctor_checks{status="skipped"} 1\n')
  })
})
