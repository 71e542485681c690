/** The runner: dependencies, skips naming the root failure, per-check timeouts, one deadline. */
import {describe, expect, it} from 'vitest'

import type {Check, CheckOutcome} from '../../../src/lib/doctor/model.js'
import type {DoctorResources} from '../../../src/lib/doctor/resources.js'
import {runChecks} from '../../../src/lib/doctor/runner.js'
import {labConfig} from '../../helpers/lab-config.js'

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

  it('the root failure is carried as data down any depth of chain, and through a reachability skip', async () => {
    const results = await runChecks(
      [
        // the root's detail reads like a skip of another check: the runner must not read it
        check('ssh:n', {status: 'fail', cause: 'node_unreachable', detail: 'skipped: decoy:x failed'}),
        check('exporter:n/x', ok, {dependsOn: ['ssh:n']}),
        check('fetch:n/x', ok, {dependsOn: ['exporter:n/x'], reachability: 'ssh:n'}),
        check('target:n/x', ok, {dependsOn: ['health:prom', 'fetch:n/x']}),
        check('health:prom', ok),
        check('disk:n', ok, {dependsOn: ['target:n/x']}),
        check('health:app', ok, {reachability: 'ssh:n'}),
      ],
      {cfg, deadlineMs: 5000, resources},
    )
    const skipped = results.filter((r) => r.status === 'skipped')
    expect(skipped.map((r) => r.id)).toEqual(['exporter:n/x', 'fetch:n/x', 'target:n/x', 'disk:n', 'health:app'])
    for (const r of skipped) expect(r.detail, r.id).toBe('skipped: ssh:n failed')
    expect(results.find((r) => r.id === 'health:prom')!.status).toBe('ok')
  })

  it('a dependency cycle is a bug, said so', async () => {
    await expect(runChecks([check('a:x', ok, {dependsOn: ['b:x']}), check('b:x', ok, {dependsOn: ['a:x']})], {cfg, deadlineMs: 1000, resources})).rejects.toThrow(/check dependency cycle: a:x → b:x → a:x/)
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

  it('reachability: the check runs alongside a slow SSH check, counts once the node is reachable, and is stopped and skipped when it is not', async () => {
    const t0 = Date.now()
    let startedAt = -1
    const reachable = await runChecks(
      [check('ssh:n', async () => (await sleep(300), ok)), check('health:app', async () => ((startedAt = Date.now() - t0), ok), {reachability: 'ssh:n'})],
      {cfg, deadlineMs: 5000, resources},
    )
    expect(startedAt).toBeLessThan(250)
    expect(reachable[1]!.status).toBe('ok')
    let stopped = false
    const unreachable = await runChecks(
      [
        check('ssh:n', async () => (await sleep(300), {status: 'fail', cause: 'node_unreachable', detail: 'no answer'})),
        // a check that would hang until stopped (a service on a blackholed node)
        check('health:app', ok, {reachability: 'ssh:n', run: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => ((stopped = true), resolve(ok))))}),
      ],
      {cfg, deadlineMs: 5000, resources},
    )
    expect(unreachable[1]).toMatchObject({status: 'skipped', detail: 'skipped: ssh:n failed'})
    expect(stopped).toBe(true)
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

  it('fifty checks at once print no MaxListenersExceededWarning (each listens for the deadline while it waits for its node slot)', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    try {
      const many = Array.from({length: 50}, (_, i) => check(`health:c${i}`, async () => (await sleep(5), ok)))
      const results = await runChecks(many, {cfg, deadlineMs: 5000, resources})
      expect(results.every((r) => r.status === 'ok')).toBe(true)
      // warnings are emitted on the next tick
      await new Promise((r) => setImmediate(r))
      expect(warnings).not.toContain('MaxListenersExceededWarning')
    } finally {
      process.off('warning', onWarning)
    }
  })
})
