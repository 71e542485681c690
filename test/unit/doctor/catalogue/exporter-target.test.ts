/** Which Prometheus target scrapes which exporter of the config. */
import {describe, expect, it} from 'vitest'

import {targetForExporter} from '../../../../src/lib/doctor/catalogue/exporter-target.js'
import type {TargetRow} from '../../../../src/lib/prometheus/targets.js'
import {labConfig} from '../../../helpers/lab-config.js'

const cfg = labConfig()

describe('targetForExporter', () => {
  const row = (over: Partial<TargetRow>): TargetRow => ({job: 'node', instance: '127.0.0.3:9100', scrapeUrl: 'http://127.0.0.3:9100/metrics', health: 'up', scrapeDurationSeconds: 0, lastError: '', node: 'hydra-compute', ...over})
  const e = cfg.nodes.find((n) => n.name === 'hydra-compute')!.exporters.find((x) => x.name === 'node')!
  it('matches by node and port, preferring the exporter job', () => {
    const targets = [row({job: 'other'}), row({}), row({instance: '127.0.0.3:9835', job: 'nvidia-gpu'})]
    expect(targetForExporter(targets, e)).toBe(targets[1])
    expect(targetForExporter([row({instance: 'hydra-compute:9100', node: undefined}), row({instance: '127.0.0.4:9100', node: 'hydra-ai'})], e)).toBeUndefined()
    expect(targetForExporter([row({instance: '127.0.0.3:9100', node: undefined})], e)).toBeDefined()
  })
})
