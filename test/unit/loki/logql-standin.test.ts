// The Loki stand-in's LogQL subset (test/lab/standins/logql.ts): what the lab answers must be right,
// or hydra's integration tests prove nothing.
import {describe, expect, it} from 'vitest'

import {evaluateLogQuery, evaluateMetric, parseQuery, type StoredStream} from '../../lab/standins/logql.js'
import {detectLevel, parseLokiTime} from '../../lab/standins/loki.js'

const streams: StoredStream[] = [
  {labels: {container_name: 'tabbyapi'}, entries: [
    {ns: 10n, line: 'INFO: POST /v1/completions 200', metadata: {detected_level: 'info'}},
    {ns: 20n, line: 'ERROR: CUDA out of memory', metadata: {detected_level: 'error'}},
  ]},
  {labels: {container_name: 'loki'}, entries: [{ns: 15n, line: 'level=warn msg="slow"', metadata: {detected_level: 'warn'}}]},
]

const run = (q: string, start = 0n, end = 100n) => {
  const p = parseQuery(q)
  if (!('log' in p)) throw new Error('not a log query')
  return evaluateLogQuery(p.log, streams, start, end).map((h) => h.entry.line)
}

describe('LogQL subset', () => {
  it('selects, filters lines, parses logfmt and filters on detected_level', () => {
    expect(run('{container_name="tabbyapi"} |= "POST"')).toEqual(['INFO: POST /v1/completions 200'])
    expect(run('{container_name=~".+"} | detected_level="error"')).toEqual(['ERROR: CUDA out of memory'])
    expect(run('{container_name="loki"} | logfmt | level="warn"')).toEqual(['level=warn msg="slow"'])
    expect(run('{container_name=~"tab.*"} !~ "POST|GET"')).toEqual(['ERROR: CUDA out of memory'])
    // the runbook's query: valid, but nothing has a job label
    expect(run('{job="docker"} |= "error" | level="error"')).toEqual([])
  })

  it('honours [start, end)', () => {
    expect(run('{container_name="tabbyapi"}', 10n, 20n)).toEqual(['INFO: POST /v1/completions 200'])
  })

  it("refuses what Loki refuses, in Loki's words", () => {
    expect(() => parseQuery('{container_name="tabbyapi"')).toThrow('parse error at line 1, col 27: syntax error: unexpected $end, expecting } or ,')
    expect(() => parseQuery('{a=~".*"}')).toThrow(/at least one regexp or equality matcher that does not have an empty-compatible value/)
    expect(() => parseQuery('{a="b"} | pattern "<x>"')).toThrow(/does not support the pattern stage/)
  })

  it('counts per stream over a range', () => {
    const p = parseQuery('sum by (container_name) (count_over_time({container_name=~".+"}[1s]))')
    if (!('metric' in p)) throw new Error('not a metric query')
    expect(evaluateMetric(p.metric, streams, 50n)).toEqual([
      {metric: {container_name: 'tabbyapi'}, value: 2},
      {metric: {container_name: 'loki'}, value: 1},
    ])
  })

  it('parses timestamps the way loghttp does', () => {
    expect(parseLokiTime('1569266497', 0n)).toBe(1569266497000000000n)
    expect(parseLokiTime('1569266497240578000', 0n)).toBe(1569266497240578000n)
    expect(parseLokiTime('1569266497.5', 0n)).toBe(1569266497500000000n)
    expect(parseLokiTime('2019-09-23T19:21:37.240578123Z', 0n)).toBe(1569266497240578123n)
    expect(parseLokiTime(null, 7n)).toBe(7n)
  })

  it('detects levels as Loki 3 does', () => {
    expect(detectLevel('level=error msg=x')).toBe('error')
    expect(detectLevel('{"level":"warn"}')).toBe('warn')
    expect(detectLevel('WARNING:  slow')).toBe('warn')
    expect(detectLevel('hello')).toBe('unknown')
  })
})
