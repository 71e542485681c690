import {describe, expect, it} from 'vitest'

import {counted, formatBytes, formatDuration} from '../../src/lib/format.js'

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [999.6, '1000ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [5000, '5s'],
    [59_900, '59.9s'],
    [60_000, '1m'],
    [5_400_000, '1h30m'],
    [90_061_000, '1d1h1m1s'],
    [15 * 86_400_000, '15d'],
    [-1500, '-1.5s'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1024, '1KiB'],
    [20_000, '19.5KiB'],
    [32 * 1024 * 1024, '32MiB'],
    [10737418240, '10GiB'],
    [Number.NaN, 'NaN'],
  ])('%s → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text)
  })
})

describe('counted', () => {
  it.each([
    [0, 'dashboard', undefined, '0 dashboards'],
    [1, 'dashboard', undefined, '1 dashboard'],
    [2, 'data source', undefined, '2 data sources'],
    [1, 'series', 'series', '1 series'],
    [3, 'series', 'series', '3 series'],
  ])('%s %s (%s) → %s', (n, noun, plural, text) => {
    expect(counted(n, noun, plural)).toBe(text)
  })
})
