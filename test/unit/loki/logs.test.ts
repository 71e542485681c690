import {describe, expect, it} from 'vitest'

import {lokiError} from '../../../src/lib/loki/client.js'
import {commonLabels, ERRORS_QUERY_V2, formatEntry, formatNanos, LOG_PRESETS, mergeStreams, presetQuery, type LokiStream} from '../../../src/lib/loki/logs.js'
import {formatLocalTime} from '../../../src/lib/output/time.js'
import {clusterConfig, fixture} from '../../helpers/fixture-config.js'

type Streams = {data: {resultType: 'streams'; result: LokiStream[]}}

describe('formatNanos', () => {
  it('keeps all nine fraction digits of a nanosecond timestamp, in local time', () => {
    const ns = '1569266497240578123'
    const local = formatLocalTime(new Date(1569266497240))
    expect(formatNanos(ns)).toBe(local.replace('.240 ', '.240578123 '))
    // a double would have rounded this one: 1569266497240578123 is not representable
    expect(formatNanos('1000000000000000001')).toMatch(/\.000000001 /)
  })
})

describe('mergeStreams', () => {
  const a: LokiStream = {stream: {container_name: 'a'}, values: [['1700000000000000003', 'a3'], ['1700000000000000001', 'a1']]}
  const b: LokiStream = {stream: {container_name: 'b'}, values: [['1700000000000000002', 'b2']]}

  it('merges the streams in time order, exact to the nanosecond', () => {
    expect(mergeStreams([a, b], 'forward').map((e) => e.line)).toEqual(['a1', 'b2', 'a3'])
    expect(mergeStreams([a, b], 'backward').map((e) => e.line)).toEqual(['a3', 'b2', 'a1'])
  })

  it('merges the documented example and the stand-in answer', () => {
    const docs = fixture<Streams>('loki', 'query-range-streams-docs.json').data.result
    expect(mergeStreams(docs, 'backward').map((e) => [e.ns, e.line])).toEqual([
      ['1569266497240578000', 'foo'],
      ['1569266492548155000', 'bar'],
    ])
    const standin = fixture<Streams>('loki', 'query-range-streams-standin.json').data.result
    expect(standin.map((s) => s.stream.container_name).sort()).toEqual(['loki', 'tabbyapi'])
    const merged = mergeStreams(standin, 'backward')
    expect(merged).toHaveLength(6)
    for (let i = 1; i < merged.length; i++) expect(BigInt(merged[i - 1]!.ns) >= BigInt(merged[i]!.ns)).toBe(true)
  })
})

describe('labels', () => {
  it('shows the labels every stream shares once, and the others per line', () => {
    const streams = [{stream: {host: 'h', container_name: 'a'}}, {stream: {host: 'h', container_name: 'b'}}]
    const common = commonLabels(streams)
    expect(common).toEqual({host: 'h'})
    const [entry] = mergeStreams([{stream: {host: 'h', container_name: 'a'}, values: [['1700000000000000000', 'line']]}], 'forward')
    expect(formatEntry(entry!, common)).toBe(`${entry!.time} {container_name="a"} line`)
    expect(formatEntry(entry!, {host: 'h', container_name: 'a'})).toBe(`${entry!.time} line`)
  })
})

describe('presets', () => {
  const cfg = clusterConfig()

  it("select on the Docker driver's container_name, never job or container", () => {
    for (const p of LOG_PRESETS) {
      const q = p.query(cfg)
      expect(q).toContain('container_name')
      expect(q).not.toMatch(/\{job=|\{container=/)
    }
    // Loki 3 has detected_level; Loki 2 (or a Loki that will not say) gets line filters
    expect(presetQuery('errors', cfg, {version: '3.4.2', major: 3})).toBe('{container_name=~".+"} | detected_level="error"')
    expect(presetQuery('errors', cfg, {version: '2.8.0', major: 2})).toBe(ERRORS_QUERY_V2)
    expect(presetQuery('errors', cfg)).toBe(ERRORS_QUERY_V2)
    expect(presetQuery('tabbyapi', cfg)).toBe('{container_name="tabbyapi"}')
  })

  it('refuses an unknown preset with the list', () => {
    expect(() => presetQuery('nope', cfg)).toThrow(/no preset "nope"/)
  })
})

describe('lokiError', () => {
  it('explains 401 no org id with the config key, exit 4', () => {
    const e = lokiError(401, 'no org id\n', 'http://l:3100', undefined) as Error & {exitCode: number; hint: string}
    expect(e.exitCode).toBe(4)
    expect(e.message).toContain('no X-Scope-OrgID')
    expect(e.hint).toContain('services.loki.tenant')
  })

  it("shows a 400's plain text as it is, exit 2", () => {
    const e = lokiError(400, 'parse error at line 1, col 27: syntax error: unexpected $end, expecting } or ,\n', 'u', 'hydra') as Error & {exitCode: number}
    expect(e.message).toBe('Loki rejected the query: parse error at line 1, col 27: syntax error: unexpected $end, expecting } or ,')
    expect(e.exitCode).toBe(2)
  })

  it('maps 504 and other statuses to exit 1', () => {
    expect((lokiError(504, 'Request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed.', 'u', 'hydra') as unknown as {exitCode: number}).exitCode).toBe(1)
    expect((lokiError(500, 'internal', 'u', 'hydra') as unknown as {exitCode: number}).exitCode).toBe(1)
  })
})
