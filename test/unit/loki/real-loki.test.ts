/**
 * The pure parts of hydra's answers to real Loki (issue 11): version detection, start-up
 * phases, the multi-tenant setting, RFC 3339 times, logcli's output modes, the tail URL and
 * logcli-style batching. Bodies are as real Loki 3.4.2 and 2.8.0 sent them (api-facts.md §10).
 */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {lokiError, parseBuildVersion, splitIntervalSetting, type LokiClient} from '../../../src/lib/loki/client.js'
import {emptyAnswerNote, multiTenantSetting, readinessPhase} from '../../../src/lib/loki/guard.js'
import {nextSplitEdge, queryLogs, type LokiQueryData} from '../../../src/lib/loki/logs.js'
import {parseRfc3339Ns, renderEntry, rfc3339Nano} from '../../../src/lib/loki/render.js'
import {tailUrl} from '../../../src/lib/loki/tail.js'

describe('Loki version and readiness', () => {
  it('reads the major version from buildinfo', () => {
    expect(parseBuildVersion('3.4.2')).toEqual({version: '3.4.2', major: 3})
    expect(parseBuildVersion('2.8.0')).toEqual({version: '2.8.0', major: 2})
    expect(parseBuildVersion('v2.9.10')).toMatchObject({major: 2})
    expect(parseBuildVersion('main-4fa045d')).toEqual({version: 'main-4fa045d'})
  })

  it("knows real Loki's start-up answers from /ready, and nothing else", () => {
    expect(readinessPhase(503, 'Some services are not Running:\nStarting: 5\nRunning: 11\n\n')).toBe('starting')
    expect(readinessPhase(503, 'Ingester not ready: waiting for 15s after being ready\n')).toBe('starting')
    expect(readinessPhase(503, 'Query Frontend not ready: not ready: number of schedulers this worker is connected to is 0\n')).toBe('starting')
    expect(readinessPhase(503, 'Application is stopping\n')).toBe('stopping')
    expect(readinessPhase(200, 'ready\n')).toBeUndefined()
    expect(readinessPhase(503, 'Service Unavailable')).toBeUndefined()
  })
})

describe('multi-tenant queries', () => {
  it("reads querier.multi_tenant_queries_enabled from Loki's /config YAML", async () => {
    const yaml = (on: boolean) => `target: all\nquerier:\n  max_concurrent: 4\n  multi_tenant_queries_enabled: ${on}\n  query_timeout: 0s\n`
    expect(await multiTenantSetting(yaml(false))).toBe(false)
    expect(await multiTenantSetting(yaml(true))).toBe(true)
    expect(await multiTenantSetting('target: all\n')).toBeUndefined()
    expect(await multiTenantSetting('<html>')).toBeUndefined()
  })

  it("reads both settings from real Loki's /config (2.8.0 and 3.4.2, as captured)", async () => {
    const real = (v: string) => readFileSync(new URL(`../../fixtures/loki/config-${v}.yaml`, import.meta.url), 'utf8')
    expect(await multiTenantSetting(real('2.8.0'))).toBe(false)
    expect(await multiTenantSetting(real('3.4.2'))).toBe(false)
    expect(await splitIntervalSetting(real('2.8.0'))).toBe(1_800_000)
    expect(await splitIntervalSetting(real('3.4.2'))).toBe(3_600_000)
  })

  it("3.4's 500 multiple org IDs present becomes the setting to change, exit 2", () => {
    const e = lokiError(500, 'multiple org IDs present', 'http://l:3100', 'hydra|other') as Error & {exitCode: number; hint: string; code: string}
    expect(e.code).toBe('loki_multi_tenant_off')
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain('querier.multi_tenant_queries_enabled: false')
    expect(e.hint).toContain('--org-id hydra')
  })

  it('an empty answer to a|b carries a note unless Loki said the setting is on', () => {
    expect(emptyAnswerNote('hydra|other', {})).toMatch(/multi_tenant_queries_enabled.*--org-id hydra/)
    expect(emptyAnswerNote('hydra|other', {multiTenantQueries: true})).toBeUndefined()
    expect(emptyAnswerNote('hydra', {})).toBeUndefined()
  })
})

describe('times and output as logcli writes them', () => {
  it('RFC 3339 with nanoseconds, both ways', () => {
    expect(rfc3339Nano('1569266497240578000')).toBe('2019-09-23T19:21:37.240578Z')
    expect(rfc3339Nano('1569266497000000000')).toBe('2019-09-23T19:21:37Z')
    expect(rfc3339Nano('1000000000000000001')).toBe('2001-09-09T01:46:40.000000001Z')
    expect(parseRfc3339Ns('2019-09-23T19:21:37.240578123Z', '--from')).toBe(1569266497240578123n)
    expect(parseRfc3339Ns('2019-09-23T21:21:37+02:00', '--to')).toBe(1569266497000000000n)
    expect(() => parseRfc3339Ns('yesterday', '--from')).toThrow(/--from "yesterday" is not an RFC 3339 time/)
    expect(() => parseRfc3339Ns('2019-09-23', '--to')).toThrow(/RFC 3339/)
  })

  it('default, raw and jsonl', () => {
    const e = {ns: '1569266497240578000', time: 'T', labels: {container_name: 'a', stream: 'stderr'}, line: 'boom'}
    expect(renderEntry(e, 'raw')).toBe('boom')
    expect(JSON.parse(renderEntry(e, 'jsonl'))).toEqual({labels: {container_name: 'a', stream: 'stderr'}, line: 'boom', timestamp: '2019-09-23T19:21:37.240578Z'})
    expect(renderEntry(e, 'default', {container_name: 'a'})).toBe('T {stream="stderr"} boom')
  })

  it('the tail URL: ws for http, wss for https, path prefix kept, nanosecond start', () => {
    const u = new URL(tailUrl('https://gw.example/loki-read/', {query: '{a="b"}', startNs: 1700000000000000001n, limit: 30, delayForS: 0}))
    expect(u.protocol).toBe('wss:')
    expect(u.pathname).toBe('/loki-read/loki/api/v1/tail')
    expect(Object.fromEntries(u.searchParams)).toEqual({query: '{a="b"}', limit: '30', start: '1700000000000000001', delay_for: '0'})
    expect(tailUrl('http://127.0.0.2:3100', {query: 'x', startNs: 1n, limit: 1})).toMatch(/^ws:\/\/127\.0\.0\.2:3100\//)
  })
})

describe("logcli's --limit and --batch", () => {
  // a fake Loki over 7 lines, two of them at the same nanosecond, answering as query_range does
  const LINES: [bigint, string][] = [
    [10n, 'l10'],
    [20n, 'l20'],
    [30n, 'l30a'],
    [30n, 'l30b'],
    [40n, 'l40'],
    [50n, 'l50'],
    [60n, 'l60'],
  ]
  function fakeLoki(calls: Record<string, unknown>[], lines = LINES): LokiClient {
    return {
      baseUrl: 'http://fake',
      // a Loki whose /config is hidden: hydra assumes 30-minute splits
      splitIntervalMs: async () => undefined,
      async getJson<T>(_path: string, q: Record<string, unknown>): Promise<T> {
        calls.push(q)
        const start = BigInt(String(q.start))
        const end = BigInt(String(q.end))
        const inWindow = lines.filter(([ns]) => ns >= start && ns < end)
        const ordered = q.direction === 'forward' ? inWindow : [...inWindow].reverse()
        const take = ordered.slice(0, Number(q.limit))
        const data: LokiQueryData = {resultType: 'streams', result: [{stream: {app: 'x'}, values: take.map(([ns, l]) => [ns.toString(), l])}]}
        return data as T
      },
    } as unknown as LokiClient
  }

  it('backward in batches: every line once, newest first, the boundary nanosecond not lost', async () => {
    const calls: Record<string, unknown>[] = []
    const r = await queryLogs(fakeLoki(calls), {query: '{app="x"}', startNs: 0n, endNs: 100n, limit: 0, batch: 2, direction: 'backward'})
    expect(r.entries.map((e) => e.line)).toEqual(['l60', 'l50', 'l40', 'l30b', 'l30a', 'l20', 'l10'])
    expect(r.requests).toBe(calls.length)
    expect(r.limited).toBe(false)
  })

  it('forward with a limit: the oldest N over several requests, limited', async () => {
    const calls: Record<string, unknown>[] = []
    const r = await queryLogs(fakeLoki(calls), {query: '{app="x"}', startNs: 0n, endNs: 100n, limit: 5, batch: 2, direction: 'forward'})
    expect(r.entries.map((e) => e.line)).toEqual(['l10', 'l20', 'l30a', 'l30b', 'l40'])
    expect(r.limited).toBe(true)
    // never more than a batch beyond the lines that come again at the boundary nanosecond
    expect(calls.length).toBeGreaterThan(2)
    expect(calls.every((c) => Number(c.limit) <= 3)).toBe(true)
  })

  // Loki's own fault (seen on real 2.8.0 and 3.4.2): a forward answer cut by its limit, over a window
  // that spans a query split, has a later split's line in place of an earlier one
  function splittingLoki(calls: Record<string, unknown>[], splitMs: number): LokiClient {
    // the same lines, 1 ms apart per unit, so that a split of 25 ms has its edges at 25 and 50 ms
    const lines = LINES.map(([ns, l]) => [ns * 1_000_000n, l] as [bigint, string])
    const step = BigInt(splitMs) * 1_000_000n
    const good = fakeLoki([], lines)
    return {
      baseUrl: 'http://fake',
      splitIntervalMs: async () => splitMs,
      async getJson<T>(path: string, q: Record<string, string | number>): Promise<T> {
        calls.push(q)
        const data = await good.getJson<LokiQueryData>(path, q)
        const start = BigInt(q.start!)
        const end = BigInt(q.end!)
        const spans = (start / step + 1n) * step < end
        const cut = lines.filter(([ns]) => ns >= start && ns < end).length > Number(q.limit)
        if (q.direction === 'forward' && spans && cut && data.resultType === 'streams') {
          const values = data.result[0]!.values
          const next = lines.find(([ns]) => ns > BigInt(values.at(-1)![0]))
          if (next) values.splice(1, 1), values.push([next[0].toString(), next[1]])
        }
        return data as T
      },
    } as unknown as LokiClient
  }
  const ms = (n: number) => BigInt(n) * 1_000_000n

  it("forward across Loki's query splits: every line, in order, whatever Loki's merge drops", async () => {
    const calls: Record<string, unknown>[] = []
    const r = await queryLogs(splittingLoki(calls, 25), {query: '{app="x"}', startNs: 0n, endNs: ms(100), limit: 4, batch: 4, direction: 'forward'})
    expect(r.entries.map((e) => e.line)).toEqual(['l10', 'l20', 'l30a', 'l30b'])
    // the cut answer over 0..100 ms was asked again up to the first edge, 25 ms
    expect(calls.map((c) => `${c.start}-${c.end}`)).toContain(`0-${ms(25)}`)
    const all = await queryLogs(splittingLoki([], 25), {query: '{app="x"}', startNs: 0n, endNs: ms(100), limit: 0, batch: 2, direction: 'forward'})
    expect(all.entries.map((e) => e.line)).toEqual(['l10', 'l20', 'l30a', 'l30b', 'l40', 'l50', 'l60'])
    expect(all.limited).toBe(false)
  })

  it('the fake does get it wrong without the re-ask (so the test above can fail)', async () => {
    const data = await splittingLoki([], 25).getJson<LokiQueryData>('', {start: '0', end: ms(100).toString(), limit: 4, direction: 'forward'})
    expect(data.resultType === 'streams' && data.result[0]!.values.map((v) => v[1])).toEqual(['l10', 'l30a', 'l30b', 'l40'])
  })

  it('split edges: multiples of the interval inside (lo, hi); none when splitting is off; 30m when Loki will not say', async () => {
    const loki = (ms: number | undefined) => ({splitIntervalMs: async () => ms})
    const h = 3_600_000_000_000n
    expect(await nextSplitEdge(loki(3_600_000), 5n * h + 1n, 7n * h)).toBe(6n * h)
    expect(await nextSplitEdge(loki(3_600_000), 5n * h, 6n * h)).toBeUndefined()
    expect(await nextSplitEdge(loki(3_600_000), 5n * h, 6n * h + 1n)).toBe(6n * h)
    expect(await nextSplitEdge(loki(0), 0n, 100n * h)).toBeUndefined()
    expect(await nextSplitEdge(loki(undefined), 5n * h + 1n, 6n * h)).toBe(5n * h + h / 2n)
  })
})
