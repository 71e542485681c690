import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {buildInfoMetric, lastSuccessMetric, previousValue, renderMetrics} from '../../../src/lib/output/textfile.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()

describe('textfile helpers', () => {
  const dir = tempDir('hydra-tf-')
  const file = join(dir, 'x.prom')
  it('leaves out labels with an empty value', () => {
    expect(renderMetrics([{name: 'm', help: 'h', type: 'gauge', samples: [{labels: {check: 'c', node: ''}, value: 1}]}])).toContain('m{check="c"} 1\n')
  })
  it('last success: now when the run succeeded, else what the previous file said, else 0', () => {
    expect(lastSuccessMetric('hydra_x', 'h', file).samples[0]!.value).toBe(0)
    const ok = lastSuccessMetric('hydra_x', 'h', file, new Date(1_700_000_000_500))
    expect(ok.samples[0]!.value).toBe(1_700_000_000)
    writeFileSync(file, renderMetrics([ok]))
    expect(previousValue(file, 'hydra_x_last_success_timestamp_seconds')).toBe(1_700_000_000)
    expect(lastSuccessMetric('hydra_x', 'h', file).samples[0]!.value).toBe(1_700_000_000)
  })
  it('build info names the command, version, commit and Node', () => {
    expect(renderMetrics([buildInfoMetric('doctor', '1.2.3', 'abc')])).toContain(`hydra_build_info{command="doctor",version="1.2.3",revision="abc",nodejs="${process.version}"} 1`)
  })
})
