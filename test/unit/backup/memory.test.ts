/**
 * memory.ts: the full collection a long backup runs every FULL_GC_EVERY dashboards really
 * collects (V8 exposes it at run time, without --expose-gc on the command line). That the backup
 * asks for it at that pace: dashboards-memory.test.ts.
 */
import {describe, expect, it} from 'vitest'

import {collectGarbage} from '../../../src/lib/backup/memory.js'

describe('collectGarbage', () => {
  it('runs a full collection: an object nothing but a WeakRef holds is gone after it, one that is still held stays', async () => {
    const held = {name: 'held'}
    const refs = (() => ({gone: new WeakRef({payload: new Array(10_000).fill('x')}), kept: new WeakRef(held)}))()
    // a WeakRef's target is kept alive until the end of the job that made it
    await new Promise((resolve) => setImmediate(resolve))
    expect(collectGarbage()).toBe(true)
    expect(refs.gone.deref()).toBeUndefined()
    expect(refs.kept.deref()).toBe(held)
    expect(collectGarbage()).toBe(true) // and again, with the collector it found the first time
  })
})
