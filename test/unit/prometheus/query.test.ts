import {describe, expect, it} from 'vitest'

import {formatSeries, formatValue, plainQueryError, queryRows, rangeFor, type QueryData} from '../../../src/lib/prometheus/query.js'
import {fixture, fixtureText} from '../../helpers/fixture-config.js'

// answers of the real Prometheus 2.42
const data = (name: string) => fixture<{data: QueryData}>('prometheus', name).data

describe('queryRows', () => {
  it('turns a vector into sorted rows without __name__ in the labels', () => {
    const rows = queryRows(data('query-vector-up.json'))
    expect(rows.map((r) => [r.metric, r.labels.instance, r.value])).toEqual([
      ['up', '127.0.0.2:9100', 1],
      ['up', '127.0.0.3:9100', 1],
    ])
    expect(rows[0]!.labels).toEqual({instance: '127.0.0.2:9100', job: 'node', node: 'hydra-storage'})
  })

  it('summarises a matrix: last value, min, max and points', () => {
    const rows = queryRows(data('query-range-up.json'))
    expect(rows).toHaveLength(2)
    for (const r of rows) {
      expect(r.points).toBeGreaterThan(1)
      expect(r.value).toBe(1)
      expect(r.min).toBe(1)
      expect(r.max).toBe(1)
    }
  })

  it('keeps scalars and strings as one row', () => {
    expect(queryRows(data('query-scalar.json'))).toMatchObject([{labels: {}, value: 2, raw: '2'}])
    expect(queryRows(data('query-string.json'))).toMatchObject([{raw: 'hello'}])
  })

  it('reads NaN and the infinities Prometheus writes', () => {
    const rows = queryRows({resultType: 'vector', result: [
      {metric: {a: '1'}, value: [1, 'NaN']},
      {metric: {a: '2'}, value: [1, '+Inf']},
      {metric: {a: '3'}, value: [1, '-Inf']},
    ]})
    expect(rows.map((r) => formatValue(r.value))).toEqual(['NaN', '+Inf', '-Inf'])
  })

  it('leaves out a matrix series without points, and min/max ignore NaN', () => {
    const rows = queryRows({resultType: 'matrix', result: [
      {metric: {a: '1'}, values: []},
      {metric: {a: '2'}, values: [[1, '3'], [2, 'NaN'], [3, '1']]},
    ]})
    expect(rows).toEqual([{labels: {a: '2'}, value: 1, raw: '1', time: 3, min: 1, max: 3, points: 3}])
  })
})

describe('plainQueryError', () => {
  it("gives Prometheus's parse error without the parameter wrapper", () => {
    const [body, status] = fixtureText('prometheus', 'query-bad-data.txt').trim().split('\n')
    expect(status).toBe('400')
    const env = JSON.parse(body!) as {errorType: string; error: string}
    expect(env.errorType).toBe('bad_data')
    expect(plainQueryError(env.error)).toBe('1:4: parse error: unexpected end of input inside braces')
  })
})

describe('formatting', () => {
  it('writes series the PromQL way', () => {
    expect(formatSeries('up', {job: 'node', instance: 'a:9100'})).toBe('up{instance="a:9100", job="node"}')
    expect(formatSeries(undefined, {})).toBe('{}')
    expect(formatSeries('up', {})).toBe('up')
  })

  it('keeps integers and shortens the rest', () => {
    expect(formatValue(823)).toBe('823')
    expect(formatValue(31.32588591216744)).toBe('31.33')
    expect(formatValue(0.00012)).toBe('1.200e-4')
    expect(formatValue(0)).toBe('0')
  })
})

describe('range queries', () => {
  const now = Date.parse('2026-01-02T03:04:05Z')

  it('derives a step of range/60 and refuses more than 11000 points', () => {
    expect(rangeFor({sinceMs: 3_600_000}, now)).toEqual({start: now / 1000 - 3600, end: now / 1000, stepSeconds: 60})
    expect(rangeFor({sinceMs: 60_000, stepMs: 15_000, time: 1000}, now)).toEqual({start: 940, end: 1000, stepSeconds: 15})
    expect(() => rangeFor({sinceMs: 30 * 86_400_000, stepMs: 1000}, now)).toThrow(/more than 11000 points/)
  })
})
