/** docs/hydra-cron-alerts.yml is a valid Prometheus rule file (checked by the real promtool), and alerts on the metrics hydra writes. */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

const file = fileURLToPath(new URL('../../../docs/hydra-cron-alerts.yml', import.meta.url))

describe('docs/hydra-cron-alerts.yml', () => {
  it('passes promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', file], {encoding: 'utf8'})
    expect(r.error).toBeUndefined()
    expect(r.stdout + r.stderr).toContain('SUCCESS: 3 rules found')
    expect(r.status).toBe(0)
  })
  it('watches the metric names doctor and backup write', () => {
    const text = readFileSync(file, 'utf8')
    for (const name of ['hydra_doctor_last_run_timestamp_seconds', 'hydra_check_up == 0', 'hydra_backup_dashboards_last_success_timestamp_seconds']) expect(text).toContain(name)
  })
})
