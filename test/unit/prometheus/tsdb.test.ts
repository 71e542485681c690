import {describe, expect, it} from 'vitest'

import {buildTsdbStatus, compareRetention, effectiveRetention, snapshotPath, tsdbStatusExitCode, type PrometheusFlags, type RuntimeInfo, type TsdbStatusData} from '../../../src/lib/prometheus/tsdb.js'
import {clusterConfig, fixture, FIXTURE_CLUSTER_YAML} from '../../helpers/fixture-config.js'

// captured from the real Prometheus 2.42 (Debian) with --storage.tsdb.retention.time=15d --storage.tsdb.retention.size=10GB
const flags = fixture<{data: PrometheusFlags}>('prometheus', 'status-flags.json').data
const runtime = fixture<{data: RuntimeInfo}>('prometheus', 'status-runtimeinfo.json').data
const tsdb = fixture<{data: TsdbStatusData}>('prometheus', 'status-tsdb.json').data
// the same Prometheus started with no retention flags and without --web.enable-admin-api
const flagsDefault = fixture<{data: PrometheusFlags}>('prometheus', 'status-flags-admin-off-default-retention.json').data
const runtimeDefault = fixture<{data: RuntimeInfo}>('prometheus', 'status-runtimeinfo-default-retention.json').data

const GiB = 2 ** 30
const DAY = 86_400_000

describe('effectiveRetention', () => {
  it('reads "15d or 10GiB" from runtimeinfo', () => {
    expect(effectiveRetention(flags, runtime)).toEqual({text: '15d or 10GiB', source: 'runtimeinfo', timeMs: 15 * DAY, sizeBytes: 10 * GiB})
  })

  it('sees the 15d default that the "0s"/"0B" flags hide', () => {
    expect(flagsDefault['storage.tsdb.retention.time']).toBe('0s')
    expect(effectiveRetention(flagsDefault, runtimeDefault)).toEqual({text: '15d', source: 'runtimeinfo', timeMs: 15 * DAY})
  })

  it('falls back to the flags, and to the 15d default when both are 0', () => {
    expect(effectiveRetention(flags, undefined)).toMatchObject({source: 'flags', timeMs: 15 * DAY, sizeBytes: 10 * GiB})
    expect(effectiveRetention(flagsDefault, undefined)).toMatchObject({source: 'flags', timeMs: 15 * DAY})
    expect(effectiveRetention(flagsDefault, undefined)?.sizeBytes).toBeUndefined()
    expect(effectiveRetention(undefined, undefined)).toBeUndefined()
  })
})

describe('compareRetention', () => {
  const cfg = clusterConfig()

  it('takes the config\'s 10GB and the server\'s 10GiB as the same size', () => {
    expect(compareRetention(cfg, effectiveRetention(flags, runtime))).toMatchObject({ok: true, mismatches: []})
  })

  it('names a missing size limit and a different time', () => {
    const check = compareRetention(cfg, effectiveRetention(flagsDefault, runtimeDefault))
    expect(check.ok).toBe(false)
    expect(check.mismatches).toEqual(['size: expected 10GB (10GiB), server runs with no size limit'])
    const other = compareRetention(cfg, {text: '30d', source: 'runtimeinfo', timeMs: 30 * DAY, sizeBytes: 10 * GiB})
    expect(other.mismatches).toEqual(['time: expected 15d, server runs with 30d'])
  })

  it('is ok when the config expects nothing', () => {
    const noRetention = clusterConfig(FIXTURE_CLUSTER_YAML.replace(', retention: {time: 15d, size: 10GB}', ''))
    expect(compareRetention(noRetention, undefined).ok).toBe(true)
  })
})

describe('buildTsdbStatus', () => {
  it('reports head stats, top metrics, retention and the admin API from the real answers', () => {
    const report = buildTsdbStatus('http://127.0.0.2:9090', clusterConfig(), tsdb, flags, runtime)
    expect(report.head).toEqual({
      series: 823,
      chunks: 823,
      labelPairs: 382,
      minTime: new Date(1795480722148).toISOString(),
      maxTime: new Date(1795480730267).toISOString(),
      spanMs: 1795480730267 - 1795480722148,
    })
    expect(report.topSeriesByMetric[0]).toEqual({metric: 'node_scrape_collector_success', series: 92})
    expect(report.topSeriesByMetric).toHaveLength(10)
    expect(report.adminApiEnabled).toBe(true)
    expect(report.dataDir).toBe('/tmp/h3cap/data')
    expect(report.retention.ok).toBe(true)
  })

  it('says the admin API is off, and leaves out an empty head\'s sentinel times', () => {
    const empty = {...tsdb, headStats: {numSeries: 0, chunkCount: 0, minTime: 9223372036854776000, maxTime: -9223372036854776000}}
    const report = buildTsdbStatus('p', clusterConfig(), empty, flagsDefault, runtimeDefault)
    expect(report.adminApiEnabled).toBe(false)
    expect(report.head).toEqual({series: 0, chunks: 0})
  })
})

it('snapshotPath joins the data dir and the name', () => {
  expect(snapshotPath('/var/lib/prometheus/data/', '20261124T003850Z-33fcf4b26beeb3bd')).toBe('/var/lib/prometheus/data/snapshots/20261124T003850Z-33fcf4b26beeb3bd')
})

describe('tsdbStatusExitCode (the exit policy of hydra tsdb status)', () => {
  const cfg = clusterConfig()
  it('is 0 when the retention matches the config, 1 when it differs or is not reported', () => {
    expect(tsdbStatusExitCode(compareRetention(cfg, effectiveRetention(flags, runtime)))).toBe(0)
    expect(tsdbStatusExitCode(compareRetention(cfg, effectiveRetention(flagsDefault, runtimeDefault)))).toBe(1)
    expect(tsdbStatusExitCode(compareRetention(cfg, undefined))).toBe(1)
  })
})
