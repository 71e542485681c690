/** rules render's live detection, as a pure function of what Prometheus answers. */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../../src/lib/config/schema.js'
import {contextFromLive, instanceOf} from '../../../src/lib/rules/detect.js'
import {labConfigPaths, labConfigYaml} from '../../lab/lab-config.js'

const cfg = resolveConfig(ConfigSchema.parse(parse(labConfigYaml(labConfigPaths('/tmp/x')))))

describe('contextFromLive', () => {
  it('takes the node exporter job and the GPU exporter from what is scraped, and names what is not', () => {
    const up = [
      {job: 'nodes', instance: '127.0.0.2:9100'},
      {job: 'nodes', instance: '127.0.0.3:9100'},
      {job: 'logs', instance: '127.0.0.2:3100'},
    ]
    const {overrides, notes} = contextFromLive(cfg, up, [{metric: {__name__: 'DCGM_FI_DEV_GPU_TEMP'}, value: 2}])
    expect(overrides).toEqual({nodeJobs: ['nodes'], gpuExporters: ['dcgm'], lokiJob: 'logs'})
    expect(notes.join('\n')).toContain('node exporter of hydra-ai (127.0.0.4:9100)')
    expect(notes.join('\n')).toContain('Prometheus does not scrape itself (127.0.0.2:9090)')
  })
  it('no GPU metrics although the config names GPU exporters, and no Loki job: said, with the defaults kept', () => {
    const {overrides, notes} = contextFromLive(cfg, [{job: 'node', instance: '127.0.0.3:9100'}], [])
    expect(overrides.gpuExporters).toBeUndefined()
    expect(overrides.lokiJob).toBeUndefined()
    expect(notes.join('\n')).toMatch(/no GPU exporter metrics found .* hydra-compute, hydra-ai/)
    expect(notes.join('\n')).toMatch(/does not scrape Loki \(127\.0\.0\.2:3100\)/)
  })
  it('a VictoriaMetrics behind services.prometheus: the Prometheus self-monitoring rules are said never to fire, not "not scraped"', () => {
    const {notes} = contextFromLive(cfg, [{job: 'node', instance: '127.0.0.3:9100'}], [], {kind: 'victoriametrics', name: 'VictoriaMetrics'})
    expect(notes.join('\n')).toMatch(/services\.prometheus is VictoriaMetrics, not Prometheus: PrometheusRuleFailures .* never fire/)
    expect(notes.join('\n')).not.toContain('does not scrape itself')
  })
  it('instanceOf gives the host:port Prometheus labels a target with', () => {
    expect(instanceOf('http://127.0.0.2:9090')).toBe('127.0.0.2:9090')
    expect(instanceOf('https://prom.example/prefix')).toBe('prom.example:443')
  })
})
