import {describe, expect, it} from 'vitest'

import type {QueryResult} from '../../../src/lib/prometheus/query.js'
import {renderQueryResult} from '../../../src/lib/prometheus/query-render.js'

const base: QueryResult = {query: 'up', kind: 'instant', resultType: 'vector', rows: [], warnings: []}

describe('renderQueryResult: hydra query for a person', () => {
  it('no series: "no data"', () => {
    expect(renderQueryResult(base, {tty: false})).toBe('no data')
  })
  it('a scalar as Prometheus wrote it', () => {
    expect(renderQueryResult({...base, resultType: 'scalar', rows: [{labels: {}, value: 1.5, raw: '1.5', time: 1}]}, {tty: false})).toBe('1.5')
  })
  it('an instant vector: series and value; a range adds min, max and points', () => {
    const row = {metric: 'up', labels: {job: 'node', instance: '127.0.0.2:9100'}, value: 1, raw: '1', time: 1, min: 0, max: 1, points: 60}
    const instant = renderQueryResult({...base, rows: [row]}, {tty: false})
    expect(instant).toMatch(/series\s+value/i)
    expect(instant).toContain('up{instance="127.0.0.2:9100", job="node"}')
    expect(instant).not.toMatch(/points/i)
    const range = renderQueryResult({...base, kind: 'range', resultType: 'matrix', rows: [row]}, {tty: false})
    expect(range).toMatch(/series\s+last\s+min\s+max\s+points/i)
    expect(range).toMatch(/\b60\b/)
  })
})
