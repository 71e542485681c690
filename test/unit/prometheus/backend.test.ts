/**
 * Backend detection and what each backend offers, from answers captured off the real servers:
 * VictoriaMetrics 1.79.5 and vmalert (Debian victoria-metrics, test/fixtures/victoria/, with the
 * lab's flags: -http.pathPrefix=/vm, -promscrape.config, -vmalert.proxyURL, -retentionPeriod=15d),
 * Prometheus 2.42 (test/fixtures/prometheus/); Thanos and Mimir from their documented answers
 * (api-facts.md §11), since neither is packaged here.
 */
import {describe, expect, it} from 'vitest'

import {identifyBackend, parseVmFlags, parseVmRetention, retentionFix, withVmFlags, type ProbeAnswer} from '../../../src/lib/prometheus/backend.js'
import {isBadQuery, isUsageErrorType, PrometheusApiError} from '../../../src/lib/prometheus/client.js'
import {plainQueryError} from '../../../src/lib/prometheus/query.js'
import {ruleEngineMissing} from '../../../src/lib/prometheus/alerts.js'
import {notScrapingNote} from '../../../src/lib/prometheus/targets.js'
import {buildTsdbStatus, compareRetention} from '../../../src/lib/prometheus/tsdb.js'
import {buildVmTsdbStatus, vmDeleteSeriesCheck, vmRetention, type VmTsdbStatusData} from '../../../src/lib/prometheus/tsdb-victoria.js'
import {OperationError, UserError} from '../../../src/lib/errors.js'
import {clusterConfig, fixture, fixtureText} from '../../helpers/fixture-config.js'

/** A captured answer: the body file and its `curl -D` headers file. */
function answer(name: string): ProbeAnswer {
  const head = fixtureText('victoria', `${name}.headers`).split(/\r?\n/)
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head[0]!)?.[1])
  const headers: Record<string, string> = {}
  for (const line of head.slice(1)) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  return {status, headers, text: fixtureText('victoria', name)}
}

const json = (v: unknown): ProbeAnswer => ({status: 200, headers: {'content-type': 'application/json'}, text: JSON.stringify(v)})
const promFlags = fixture<{data: Record<string, string>}>('prometheus', 'status-flags.json')

const vmProbe = {ready: answer('ready.txt'), buildinfo: answer('buildinfo.json'), statusFlags: answer('status-flags-400.txt')}
const vmFlags = parseVmFlags(fixtureText('victoria', 'flags.txt'))
const vm = withVmFlags(identifyBackend(vmProbe), vmFlags)
const vmBare = withVmFlags(identifyBackend(vmProbe), parseVmFlags(fixtureText('victoria', 'flags-bare.txt')))

describe('identifyBackend', () => {
  it('VictoriaMetrics: by its /-/ready body, its 400 "unsupported path" and X-Server-Hostname, not by its empty buildinfo', () => {
    expect(fixtureText('victoria', 'buildinfo.json')).toBe('{"status":"success","data":{}}')
    const b = identifyBackend(vmProbe)
    expect(b).toMatchObject({kind: 'victoriametrics', name: 'VictoriaMetrics'})
    expect(b.version).toBeUndefined()
    expect(b.evidence.join(' ')).toMatch(/VictoriaMetrics is Ready/)
    // any one clue is enough: e.g. behind a proxy that rewrites /-/ready
    expect(identifyBackend({statusFlags: answer('status-flags-400.txt')}).kind).toBe('victoriametrics')
    // since v1.96 buildinfo says "2.24.0" for Grafana's sake: still VictoriaMetrics, and no version claimed
    expect(identifyBackend({...vmProbe, buildinfo: json({status: 'success', data: {version: '2.24.0'}})}).kind).toBe('victoriametrics')
  })

  it('Prometheus: "Prometheus Server is Ready." and its flags', () => {
    const b = identifyBackend({
      ready: {status: 200, headers: {}, text: 'Prometheus Server is Ready.\n'},
      buildinfo: json({status: 'success', data: {version: '2.42.0'}}),
      statusFlags: json(promFlags),
    })
    expect(b).toMatchObject({kind: 'prometheus', version: '2.42.0', scrapes: true, ruleEngine: true})
    expect(b.flags?.['storage.tsdb.path']).toBeDefined()
  })

  it('Thanos Query by its flags; Mimir by buildinfo application/features', () => {
    expect(identifyBackend({ready: {status: 200, headers: {}, text: 'OK'}, statusFlags: json({status: 'success', data: {'query.replica-label': 'replica', 'grpc-address': '0.0.0.0:10901'}}), buildinfo: json({status: 'success', data: {version: '0.34.1'}})})).toMatchObject({kind: 'thanos', version: '0.34.1'})
    expect(identifyBackend({buildinfo: json({status: 'success', data: {application: 'Grafana Mimir', version: '2.14.0', features: {ruler_config_api: 'true'}}})})).toMatchObject({kind: 'mimir', scrapes: false})
  })

  it('nothing answered: unknown, never a guess', () => {
    expect(identifyBackend({})).toMatchObject({kind: 'unknown'})
  })
})

describe('VictoriaMetrics flags', () => {
  it('reads /flags: what it scrapes, where rules go, its retention', () => {
    expect(vmFlags).toMatchObject({'http.pathPrefix': '/vm', retentionPeriod: '15d', 'vmalert.proxyURL': 'http://127.0.0.2:8880', storageDataPath: 'data'})
    expect(vm).toMatchObject({scrapes: true, ruleEngine: true})
    expect(vmBare).toMatchObject({scrapes: false, ruleEngine: false})
  })

  it('-retentionPeriod: h/d/w/y, and a bare number is months of 31 days', () => {
    const DAY = 86_400_000
    expect(parseVmRetention('15d')).toBe(15 * DAY)
    expect(parseVmRetention('2w')).toBe(14 * DAY)
    expect(parseVmRetention('1')).toBe(31 * DAY)
    expect(parseVmRetention('1y')).toBe(365 * DAY)
    expect(vmRetention({})).toMatchObject({text: '-retentionPeriod=1 (the default: 1 month)', timeMs: 31 * DAY})
    expect(vmRetention(undefined)).toBeUndefined()
  })

  it('retention hints name the backend\'s own flags', () => {
    expect(retentionFix(vm)).toMatch(/-retentionPeriod/)
    expect(retentionFix(vm)).not.toMatch(/storage\.tsdb/)
    expect(retentionFix({kind: 'prometheus'})).toMatch(/--storage\.tsdb\.retention\.time/)
  })
})

describe('tsdb status on VictoriaMetrics', () => {
  const data = fixture<{data: VmTsdbStatusData}>('victoria', 'status-tsdb.json').data

  it('series count, top metrics and -retentionPeriod; no head block, no TypeError', () => {
    const cfg = clusterConfig(`nodes: {a: {address: 127.0.0.2}}\nservices:\n  prometheus: {node: a, port: 8428, pathPrefix: /vm, retention: {time: 15d}}\n`)
    const r = buildVmTsdbStatus('http://127.0.0.2:8428/vm', cfg, data, vm, 3)
    expect(r).toMatchObject({backend: {kind: 'victoriametrics'}, series: data.totalSeries, retention: {ok: true}, dataDir: 'data'})
    expect(r.head).toBeUndefined()
    expect(r.topSeriesByMetric).toHaveLength(3)
    expect(r.retention.actual?.text).toBe('-retentionPeriod=15d')
    expect(r.retentionFix).toMatch(/-retentionPeriod/)
  })

  it('a size limit in the config is a mismatch: VictoriaMetrics has none', () => {
    const r = compareRetention(clusterConfig(), vmRetention(vmFlags), vm)
    expect(r.ok).toBe(false)
    expect(r.mismatches).toEqual([expect.stringMatching(/no size-based retention/)])
  })

  it("Prometheus' parser given VictoriaMetrics' shape: a clear error, not a TypeError", () => {
    expect(() => buildTsdbStatus('http://x', clusterConfig(), data as never, undefined, undefined)).toThrow(OperationError)
  })

  it('delete-series refuses a time range before calling (VictoriaMetrics answers 400 to start/end)', () => {
    expect(fixtureText('victoria', 'delete-series-range-400.txt')).toMatch(/args aren't supported/)
    expect(() => vmDeleteSeriesCheck({match: ['x'], start: '1'})).toThrow(UserError)
    expect(() => vmDeleteSeriesCheck({match: ['x']})).not.toThrow()
  })
})

describe('bad PromQL is a usage error on every backend', () => {
  it("VictoriaMetrics' 422 with errorType \"422\" → exit 2, the parse error shown plainly", () => {
    const body = fixture<{errorType: string; error: string}>('victoria', 'query-422.json')
    const e = new PrometheusApiError(body.errorType, body.error, 422, '/api/v1/query')
    expect(e.exitCode).toBe(2)
    expect(isBadQuery(e)).toBe(true)
    expect(plainQueryError(body.error)).toBe('labelFilterExpr: unexpected token ""; want "ident"; unparsed data: ""')
    expect(isUsageErrorType('bad_data')).toBe(true)
    // Prometheus' execution errors (422 "execution") and its timeouts are not the user's query
    expect(isUsageErrorType('execution')).toBe(false)
    expect(isUsageErrorType('timeout')).toBe(false)
  })
})

describe('nothing reports all clear about what the backend does not do', () => {
  it('alerts: VictoriaMetrics without vmalert has no rule engine; with it, it has', () => {
    expect(fixture('victoria', 'rules-stub.json')).toEqual({status: 'success', data: {groups: []}})
    expect(ruleEngineMissing(vmBare, 0, 'http://b')?.message).toMatch(/evaluates no alert rules and no vmalert is attached/)
    expect(ruleEngineMissing(vmBare, 0, 'http://b')?.hint).toMatch(/-vmalert\.proxyURL/)
    expect(ruleEngineMissing(vm, 1, 'http://v')).toBeUndefined()
    // flags unreadable and no rule group: cannot tell, so not all clear either
    expect(ruleEngineMissing(identifyBackend(vmProbe), 0, 'http://v')?.message).toMatch(/cannot tell/)
  })

  it('targets: a VictoriaMetrics that scrapes nothing says where targets live', () => {
    expect(fixture('victoria', 'targets-bare.json')).toEqual({status: 'success', data: {activeTargets: [], droppedTargets: []}})
    const n = notScrapingNote(vmBare, 'http://b')
    expect(n.message).toMatch(/scrapes nothing \(started without -promscrape\.config\)/)
    expect(n.hint).toMatch(/vmagent/)
  })
})
