import {describe, expect, it} from 'vitest'

import {renderScrapeConfigs} from '../../../src/lib/prometheus/scrape-config.js'
import {compareScrapeConfigs, driftExitCode, liveScrapeTargets} from '../../../src/lib/prometheus/scrape-drift.js'
import {clusterConfig, fixture} from '../../helpers/fixture-config.js'

// /api/v1/status/config of the real Prometheus 2.42: job node with 127.0.0.2:9100 and 127.0.0.3:9100
const liveYaml = fixture<{data: {yaml: string}}>('prometheus', 'status-config.json').data.yaml

const TWO_NODES = `
nodes:
  hydra-storage: {address: 127.0.0.2, exporters: {node: {port: 9100, managedBy: process, process: ne}}}
  hydra-compute: {address: 127.0.0.3, exporters: {node: {port: 9100, managedBy: process, process: ne}}}
services:
  prometheus: {node: hydra-storage, port: 9090}
`

describe('liveScrapeTargets', () => {
  it("reads the static targets out of Prometheus's own YAML, with its defaults filled in", () => {
    expect(liveScrapeTargets(liveYaml)).toEqual({
      targets: [
        {job: 'node', target: '127.0.0.2:9100', metricsPath: '/metrics', scheme: 'http'},
        {job: 'node', target: '127.0.0.3:9100', metricsPath: '/metrics', scheme: 'http'},
      ],
      dynamicJobs: [],
    })
  })

  it('names jobs that use service discovery', () => {
    const yaml = 'scrape_configs:\n  - job_name: k\n    file_sd_configs: [{files: [a.json]}]\n'
    expect(liveScrapeTargets(yaml).dynamicJobs).toEqual(['k'])
  })

  it('refuses YAML that does not parse', () => {
    expect(() => liveScrapeTargets('scrape_configs: [\n')).toThrow(/not valid YAML/)
  })
})

describe('compareScrapeConfigs', () => {
  it('finds the config and the live Prometheus in sync', () => {
    const drift = compareScrapeConfigs('p', renderScrapeConfigs(clusterConfig(TWO_NODES)), liveYaml)
    expect(drift).toMatchObject({inSync: true, missingFromPrometheus: [], missingFromConfig: [], changed: [], exitCode: 0})
  })

  it('names targets missing from either side and a changed metrics path', () => {
    const edited = TWO_NODES.replace(
      "hydra-compute: {address: 127.0.0.3, exporters: {node: {port: 9100, managedBy: process, process: ne}}}",
      "hydra-ai: {address: 127.0.0.4, exporters: {node: {port: 9100, managedBy: process, process: ne}}}",
    ).replace('node: {port: 9100, managedBy: process, process: ne}}}\n  hydra-ai', 'node: {port: 9100, path: /m, managedBy: process, process: ne}}}\n  hydra-ai')
    const drift = compareScrapeConfigs('p', renderScrapeConfigs(clusterConfig(edited)), liveYaml)
    expect(drift.inSync).toBe(false)
    expect(drift.exitCode).toBe(1)
    expect(drift.missingFromPrometheus.map((t) => t.target)).toEqual(['127.0.0.4:9100'])
    expect(drift.missingFromConfig.map((t) => t.target)).toEqual(['127.0.0.3:9100'])
    expect(drift.changed).toEqual([{job: 'node', target: '127.0.0.2:9100', expected: 'http /m', live: 'http /metrics'}])
  })
})

describe('driftExitCode (config scrape --diff, rules diff)', () => {
  it('is 0 in sync, 1 otherwise', () => {
    expect(driftExitCode(true)).toBe(0)
    expect(driftExitCode(false)).toBe(1)
  })
})
