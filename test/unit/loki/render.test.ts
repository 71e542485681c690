/** loki/render.ts beyond `hydra logs` (render-logs.test.ts): `loki labels` and `loki canary`. */
import {describe, expect, it} from 'vitest'

import type {CanaryResult} from '../../../src/lib/loki/canary.js'
import {renderCanary, renderLabels} from '../../../src/lib/loki/render.js'

describe('renderLabels', () => {
  it('one value a line; none: what was looked for, and in which window', () => {
    expect(renderLabels({loki: 'http://l', values: ['container_name', 'job']}, {sinceMs: 6 * 3_600_000})).toBe('container_name\njob')
    expect(renderLabels({loki: 'http://l', values: []}, {sinceMs: 6 * 3_600_000})).toBe('no labels in the last 6h')
    expect(renderLabels({loki: 'http://l', name: 'job', values: []}, {sinceMs: 900_000})).toBe('no values of job in the last 15m')
  })
})

describe('renderCanary', () => {
  const ok: CanaryResult = {ok: true, pushUrl: 'http://l/loki/api/v1/push', queryUrl: 'http://l', selector: '{hydra_canary="x"}', line: 'l', pushMs: 4, roundTripMs: 250, attempts: 1, exitCode: 0}
  it('ok: the push, the read back, the round trip and the queries it took', () => {
    expect(renderCanary(ok)).toEqual({out: 'ok: pushed to http://l/loki/api/v1/push in 4 ms, read back from http://l after 250 ms (1 query), {hydra_canary="x"}', notes: []})
    expect(renderCanary({...ok, attempts: 3}).out).toContain('(3 queries)')
  })
  it('failed: the cause for stdout, the hint as a note for stderr', () => {
    expect(renderCanary({...ok, ok: false, roundTripMs: undefined, cause: 'the line did not come back in 10s', hint: 'check the ingester', exitCode: 1})).toEqual({out: 'FAIL: the line did not come back in 10s', notes: ['Hint: check the ingester']})
    expect(renderCanary({...ok, ok: false, cause: 'push refused', exitCode: 1}).notes).toEqual([])
  })
})
