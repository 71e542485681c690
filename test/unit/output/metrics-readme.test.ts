/** Every metric hydra can write is in README's table of what the textfiles hold. */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {backupMetrics} from '../../../src/lib/backup/metrics.js'
import {targetsMetrics} from '../../../src/lib/prometheus/targets-metrics.js'
import {buildInfoMetric, lastSuccessMetric} from '../../../src/lib/output/textfile.js'
import {doctorMetrics} from '../../../src/lib/doctor/metrics.js'

describe("README's metrics table", () => {
  it('lists every metric of every textfile', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    const table = readme.slice(readme.indexOf('What the files hold'), readme.indexOf('### Alerts when the cron jobs fail or stop'))
    const report = {checks: [], summary: {total: 0, ok: 0, warn: 0, fail: 0, skipped: 0}, durationMs: 1, startedAt: new Date().toISOString()}
    const names = [
      ...doctorMetrics(report as unknown as Parameters<typeof doctorMetrics>[0]),
      lastSuccessMetric('hydra_doctor', 'h', '/nonexistent'),
      ...backupMetrics({runAt: new Date(), saved: 0, failed: 0, durationSeconds: 0, complete: false}),
      ...targetsMetrics([], new Date()),
      buildInfoMetric('doctor', '0', 'x'),
    ].map((m) => m.name)
    expect(names.length).toBeGreaterThan(14)
    for (const name of names) expect(table, name).toMatch(new RegExp('`' + name + '[`{]'))
  })
})
