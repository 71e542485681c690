import {describe, expect, it} from 'vitest'

import {clampLimit, collectAll, GRAFANA_SEARCH_MAX_LIMIT} from '../../../src/lib/grafana/paging.js'

/** A paged server over `total` items, recording the pages asked for. */
function pagedServer(total: number, options: {ignorePage?: boolean} = {}) {
  const calls: Array<[number, number]> = []
  const fetchPage = async (page: number, limit: number) => {
    calls.push([page, limit])
    const start = options.ignorePage ? 0 : (page - 1) * limit
    return Array.from({length: Math.max(0, Math.min(limit, total - start))}, (_, i) => ({uid: `d${start + i}`}))
  }
  return {calls, fetchPage}
}

describe('paging', () => {
  it('clamps the page size to 1..5000', () => {
    expect(clampLimit(10_000)).toBe(GRAFANA_SEARCH_MAX_LIMIT)
    expect(clampLimit(0)).toBe(1000)
    expect(clampLimit(Number.NaN)).toBe(1000)
    expect(clampLimit(250.7)).toBe(250)
  })

  it('pages past the 5000 cap until a short page', async () => {
    const s = pagedServer(6000)
    const items = await collectAll(s.fetchPage, {limit: 5000, keyOf: (x) => x.uid})
    expect(items).toHaveLength(6000)
    expect(s.calls).toEqual([
      [1, 5000],
      [2, 5000],
    ])
  })

  it('asks one more page when the total is an exact multiple of the page size', async () => {
    const s = pagedServer(2000)
    expect(await collectAll(s.fetchPage, {limit: 1000, keyOf: (x) => x.uid})).toHaveLength(2000)
    expect(s.calls.map((c) => c[0])).toEqual([1, 2, 3])
  })

  it('handles an empty listing', async () => {
    const s = pagedServer(0)
    expect(await collectAll(s.fetchPage, {limit: 1000, keyOf: (x) => x.uid})).toEqual([])
    expect(s.calls).toHaveLength(1)
  })

  it('stops when a server ignores page (a full page with nothing new) instead of looping', async () => {
    const s = pagedServer(3000, {ignorePage: true})
    const items = await collectAll(s.fetchPage, {limit: 1000, keyOf: (x) => x.uid})
    expect(items).toHaveLength(1000)
    expect(s.calls).toHaveLength(2)
  })
})
