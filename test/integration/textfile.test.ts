/**
 * Every textfile hydra writes (doctor, backup dashboards, targets with --textfile) passes Debian's
 * `promtool check metrics`, good runs and failed ones alike: a backup refused with 403 rewrites
 * its file (last_run_complete 0, the last success kept), and a textfile directory that does not
 * exist is a usage error (exit 2) reported AFTER the work's own result.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {runHydra} from '../helpers/run-hydra.js'
import {LabControl} from '../lab/control.js'

const lab = inject('lab')
const control = new LabControl(lab.controlUrl)
const TOKEN = readFileSync(join(lab.stateDir, 'secrets', 'grafana-token'), 'utf8').trim()
const WORK = mkdtempSync(join(tmpdir(), 'hydra-textfile-it-'))
const CONFIG = join(WORK, 'hydra.yaml')
const hydra = (...args: string[]) => runHydra([...args, '--config', CONFIG], {env: {HYDRA_GRAFANA_TOKEN: TOKEN}})

/** promtool's verdict on a file: its exit code and what it said */
function promtool(file: string): {code: number | null; output: string} {
  const r = spawnSync('promtool', ['check', 'metrics'], {input: readFileSync(file), encoding: 'utf8'})
  return {code: r.status, output: `${r.stdout}${r.stderr}`}
}
const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])

async function freshGrafana(patch: Record<string, unknown> = {}): Promise<void> {
  await control.clearFault('grafana')
  await control.setState('grafana', {empty: true, deny: null, delayMs: 0, tokens: [TOKEN], users: {admin: 'admin'}, ...patch})
}

beforeAll(async () => {
  const config = parse(readFileSync(lab.configPath, 'utf8')) as Record<string, any>
  config.services.grafana.auth = {tokenEnv: 'HYDRA_GRAFANA_TOKEN'}
  config.backup = {dashboards: {dir: join(WORK, 'backups'), keep: 5}}
  writeFileSync(CONFIG, stringify(config))
  await freshGrafana({seed: {dashboards: 3}})
})
afterAll(async () => {
  await freshGrafana()
  rmSync(WORK, {recursive: true, force: true})
})

describe('textfiles pass promtool check metrics', () => {
  it('targets: clean', async () => {
    const file = join(WORK, 'hydra_targets.prom')
    const r = await hydra('targets', '--textfile', file)
    expect(r.code, r.stderr).toBe(0)
    expect(promtool(file)).toEqual({code: 0, output: ''})
    expect(readFileSync(file, 'utf8')).toMatch(/^hydra_targets_last_run_complete 1$/m)
  })

  it('backup: clean after a good run, and after a 403 the file is rewritten and still clean', async () => {
    const file = join(WORK, 'hydra_backup.prom')
    const good = await hydra('backup', 'dashboards', '--textfile', file)
    expect(good.code, good.stderr).toBe(0)
    expect(promtool(file)).toEqual({code: 0, output: ''})
    const before = readFileSync(file, 'utf8')
    expect(value(before, 'hydra_backup_dashboards_saved')).toBe(3)
    expect(value(before, 'hydra_backup_dashboards_last_run_complete')).toBe(1)
    const lastSuccess = value(before, 'hydra_backup_dashboards_last_success_timestamp_seconds')
    expect(lastSuccess).toBeGreaterThan(0)

    await control.setState('grafana', {deny: 'rbac'})
    const refused = await hydra('backup', 'dashboards', '--textfile', file)
    expect(refused.code).toBe(4)
    expect(promtool(file)).toEqual({code: 0, output: ''})
    const after = readFileSync(file, 'utf8')
    expect(value(after, 'hydra_backup_dashboards_last_run_complete')).toBe(0)
    expect(value(after, 'hydra_backup_dashboards_saved')).toBe(0)
    expect(value(after, 'hydra_backup_dashboards_last_success_timestamp_seconds')).toBe(lastSuccess)
    expect(value(after, 'hydra_backup_dashboards_last_run_timestamp_seconds')).toBeGreaterThanOrEqual(value(before, 'hydra_backup_dashboards_last_run_timestamp_seconds'))
    await freshGrafana({seed: {dashboards: 3}})
  })

  it('a textfile directory that does not exist: exit 2 after the result is printed, no stack trace', async () => {
    const file = join(WORK, 'no-such-dir', 'hydra_backup.prom')
    const r = await hydra('backup', 'dashboards', '--textfile', file)
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/^complete: 3 dashboards/m)
    expect(r.stderr).toContain(`cannot write the textfile ${file}: its directory does not exist`)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    const json = await hydra('backup', 'dashboards', '--json', '--textfile', file)
    expect(json.code).toBe(2)
    expect(json.json()).toMatchObject({status: 'complete', error: {code: 'textfile_write', exitCode: 2}})
  })
  it('doctor (after the backups above): clean, with hydra_doctor_last_success_timestamp_seconds and hydra_build_info', async () => {
    const file = join(WORK, 'hydra_doctor.prom')
    const r = await hydra('doctor', '--only', 'prometheus', '--only', 'backup', '--textfile', file)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const text = readFileSync(file, 'utf8')
    expect(promtool(file)).toEqual({code: 0, output: ''})
    expect(value(text, 'hydra_doctor_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 120)
    expect(text).toMatch(/^hydra_build_info\{command="doctor",version="\d+\.\d+\.\d+",revision="[0-9a-f]{12}|unknown",nodejs="v\d+/m)
    // no empty label: the backup check belongs to no node, so it has no node label
    expect(text).not.toContain('=""')
    expect(text).toMatch(/^hydra_check_up\{check="backup:grafana",service="grafana"\} 1$/m)
    expect(text).toMatch(/^hydra_check_up\{check="retention:prometheus",node="hydra-storage",service="prometheus"\} 1$/m)
  })
})
