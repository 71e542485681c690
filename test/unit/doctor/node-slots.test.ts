/**
 * defaults.concurrency bounds how many nodes have reads in flight in one doctor run: every check
 * over a node's SSH connection (or against its address after it) runs under one slot, taken by the
 * first and given back by the last; the SSH checks all start at once; waiting for a slot is not a
 * check's time.
 */
import {describe, expect, it} from 'vitest'

import type {Check, CheckOutcome} from '../../../src/lib/doctor/model.js'
import {NodeSlots, slotNode} from '../../../src/lib/doctor/node-slots.js'
import type {DoctorResources} from '../../../src/lib/doctor/resources.js'
import {runChecks} from '../../../src/lib/doctor/runner.js'
import {labConfig} from '../../helpers/lab-config.js'

const resources = () => ({close: async () => undefined}) as unknown as DoctorResources
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ok: CheckOutcome = {status: 'ok', detail: 'fine'}

function check(id: string, node: string | undefined, run: () => Promise<CheckOutcome>, extra: Partial<Check> = {}): Check {
  return {id, kind: 'health', group: node ?? id, ...(node ? {node} : {}), title: id, dependsOn: [], timeoutMs: 5000, run, ...extra}
}

/** A node's checks as the catalogue chains them: ssh → exporter → fetch (reachability), plus a check that needs no slot. */
function nodeChecks(node: string, active: Set<string>, peak: {n: number}, ms = 30, timeoutMs = 5000): Check[] {
  const work = (what: string) => async () => {
    if (what === 'ssh') return sleep(ms).then(() => ok)
    active.add(node)
    peak.n = Math.max(peak.n, active.size)
    await sleep(ms)
    if (what === 'fetch') active.delete(node)
    return ok
  }
  return [
    check(`ssh:${node}`, node, work('ssh'), {timeoutMs}),
    check(`exporter:${node}/x`, node, work('exporter'), {dependsOn: [`ssh:${node}`], timeoutMs}),
    check(`fetch:${node}/x`, node, work('fetch'), {dependsOn: [`exporter:${node}/x`], reachability: `ssh:${node}`, timeoutMs}),
    check(`disk:${node}`, node, async () => ok, {dependsOn: [`fetch:${node}/x`]}),
  ]
}

describe('node slots', () => {
  it('a check holds its node\'s slot when it runs over or after the node\'s SSH check', () => {
    const [ssh, exporter, fetch, disk] = nodeChecks('n1', new Set(), {n: 0})
    expect([ssh, exporter, fetch, disk].map((c) => slotNode(c!))).toEqual([undefined, 'n1', 'n1', undefined])
    expect(slotNode(check('health:grafana', undefined, async () => ok))).toBeUndefined()
  })

  it('with concurrency 2, at most 2 of 5 nodes are worked on at once, and every check passes', async () => {
    const active = new Set<string>()
    const peak = {n: 0}
    // each step 100 ms, each check's timeout 450 ms: the last node waits ~600 ms for its slot, which
    // must not count against its checks' timeouts
    const checks = ['a', 'b', 'c', 'd', 'e'].flatMap((n) => nodeChecks(n, active, peak, 100, 450))
    const results = await runChecks(checks, {cfg: {...labConfig(), concurrency: 2}, deadlineMs: 10_000, resources})
    expect(peak.n).toBe(2)
    expect(results.filter((r) => r.status !== 'ok')).toEqual([])
  })

  it('a node whose read fails gives its slot back (the checks after it are skipped), so the next node goes on', async () => {
    const checks = [
      check('ssh:a', 'a', async () => ok),
      check('exporter:a/x', 'a', async () => ({status: 'fail', cause: 'unit_inactive', detail: 'down'}), {dependsOn: ['ssh:a']}),
      check('fetch:a/x', 'a', async () => ok, {dependsOn: ['exporter:a/x'], reachability: 'ssh:a'}),
      check('ssh:b', 'b', async () => ok),
      check('exporter:b/x', 'b', async () => ok, {dependsOn: ['ssh:b']}),
    ]
    const results = await runChecks(checks, {cfg: {...labConfig(), concurrency: 1}, deadlineMs: 2000, resources})
    expect(results.map((r) => `${r.id} ${r.status}`)).toEqual(['ssh:a ok', 'exporter:a/x fail', 'fetch:a/x skipped', 'ssh:b ok', 'exporter:b/x ok'])
  })

  it('the SSH checks all start at once: nodes that do not answer cost their timeout once, together', async () => {
    const started: number[] = []
    const t0 = performance.now()
    const dead = (n: string) => check(`ssh:${n}`, n, async () => (started.push(performance.now() - t0), sleep(300).then((): CheckOutcome => ({status: 'fail', cause: 'node_unreachable', detail: 'no answer'}))))
    const results = await runChecks(['a', 'b', 'c'].map(dead), {cfg: {...labConfig(), concurrency: 1}, deadlineMs: 5000, resources})
    expect(results.map((r) => r.cause)).toEqual(['node_unreachable', 'node_unreachable', 'node_unreachable'])
    // all three began before the first one's 300 ms were up
    expect(Math.max(...started)).toBeLessThan(300)
  })

  it('a node still waiting for a slot at the deadline is "not started before the deadline"', async () => {
    const checks = [
      check('ssh:a', 'a', async () => ok),
      check('exporter:a/x', 'a', () => sleep(1000).then(() => ok), {dependsOn: ['ssh:a']}),
      check('ssh:b', 'b', async () => ok),
      check('exporter:b/x', 'b', async () => ok, {dependsOn: ['ssh:b']}),
    ]
    const results = await runChecks(checks, {cfg: {...labConfig(), concurrency: 1}, deadlineMs: 300, resources})
    expect(results.map((r) => `${r.id} ${r.status} ${r.cause ?? ''} ${r.detail}`)).toEqual([
      'ssh:a ok  fine',
      'exporter:a/x fail deadline still running at the deadline',
      'ssh:b ok  fine',
      'exporter:b/x fail deadline not started before the deadline',
    ])
  })

  it('checks that hold no slot never wait, and a node is entered again at once while it holds its slot', async () => {
    const exporter = check('exporter:a/x', 'a', async () => ok, {dependsOn: ['ssh:a']})
    const fetch = check('fetch:a/x', 'a', async () => ok, {dependsOn: ['exporter:a/x'], reachability: 'ssh:a'})
    const other = check('exporter:b/x', 'b', async () => ok, {dependsOn: ['ssh:b']})
    const slots = new NodeSlots([exporter, fetch, other], 1)
    let bEntered = false
    await slots.enter(exporter)
    void slots.enter(other).then(() => (bEntered = true))
    await slots.enter(fetch)
    await slots.enter(check('ssh:b', 'b', async () => ok))
    await slots.enter(check('health:grafana', undefined, async () => ok))
    slots.leave(exporter)
    await sleep(0)
    expect(bEntered).toBe(false)
    slots.leave(fetch)
    await sleep(0)
    expect(bEntered).toBe(true)
  })
})
