/**
 * The JSON contract against the lab (README "JSON output"): every command that has --json is run
 * once against the lab, and its stdout must be exactly one document that docs/json/<command>.schema.json
 * accepts, whose envelope names the command and the process's real exit code. A second round runs
 * one failing or partial case per family (Prometheus target down, a bad query, Alertmanager
 * stopped, Grafana refusing the token, Loki failing, a node's exporter stopped, a missing backup),
 * so the failure shapes are validated too. Commands run concurrently (a few at a time), each hydra
 * spawned once; read-only commands only, except what the test restores (the tsdb snapshot's
 * directory, and lab faults, which afterAll resets). Files hydra writes go to a temp dir. The
 * generous timeouts are for a loaded machine: on an idle 2-core one the file takes about a minute.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Ajv2020} from 'ajv/dist/2020.js'
import type {ValidateFunction} from 'ajv'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {LabControl, waitForAlertFiring, waitForTargetHealth} from '../lab/control.js'
import {REPO, runHydra, type HydraRun} from '../helpers/run-hydra.js'

const addFormats = createRequire(import.meta.url)('ajv-formats') as typeof import('ajv-formats').default
const {configPath, controlUrl} = inject('lab')
const lab = new LabControl(controlUrl)
const PROM = 'http://127.0.0.2:9090'
const work = mkdtempSync(join(tmpdir(), 'hydra-json-contract-'))
const ajv = new Ajv2020({strict: true, allErrors: true})
addFormats(ajv)
const validators = new Map<string, ValidateFunction>()
const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {enableJsonFlag?: boolean}>}
const JSON_COMMANDS = Object.entries(manifest.commands)
  .filter(([, c]) => c.enableJsonFlag)
  .map(([id]) => id.split(':').join(' '))
  .sort()

/** [words of the command, its arguments] */
type Case = [command: string, args?: string[]]

interface Outcome {
  command: string
  args: string[]
  run: HydraRun
  doc?: any
  problems: string[]
}

function validator(command: string): ValidateFunction {
  let v = validators.get(command)
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(REPO, 'docs', 'json', `${command.split(' ').join('-')}.schema.json`), 'utf8')))
    validators.set(command, v)
  }
  return v
}

/** hydra COMMAND ARGS --json, and what is wrong with its document (nothing, when it keeps the contract) */
async function check([command, args = []]: Case): Promise<Outcome> {
  const run = await runHydra([...command.split(' '), ...args, '--json', '--config', configPath], {cwd: work, timeoutMs: 90_000})
  const problems: string[] = []
  let doc: any
  try {
    doc = run.json()
  } catch {
    problems.push(`stdout is not one JSON document: ${run.stdout.slice(0, 300)}`)
  }
  if (doc !== undefined) {
    if (doc.command !== command) problems.push(`envelope command ${JSON.stringify(doc.command)}`)
    if (doc.exitCode !== run.code) problems.push(`envelope exitCode ${doc.exitCode}, process exit ${run.code}`)
    const v = validator(command)
    if (!v(doc)) problems.push(...(v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`))
  }
  return {command, args, run, doc, problems}
}

/** run the cases, `width` at a time */
async function checkAll(cases: Case[], width = 4): Promise<Outcome[]> {
  const out: Outcome[] = new Array(cases.length)
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const i = next++
      out[i] = await check(cases[i]!)
    }
  }
  await Promise.all(Array.from({length: width}, worker))
  return out
}

const report = (outcomes: Outcome[]) =>
  outcomes
    .filter((o) => o.problems.length > 0)
    .map((o) => `hydra ${o.command} ${o.args.join(' ')} (exit ${o.run.code}):\n  ${o.problems.slice(0, 8).join('\n  ')}\n  stderr: ${o.run.stderr.slice(0, 300)}`)
    .join('\n')

const ran = new Set<string>()
beforeAll(async () => {
  await lab.reset()
})
afterAll(async () => {
  await lab.reset()
  rmSync(work, {recursive: true, force: true})
})

describe('every --json document keeps the contract (envelope + docs/json schema)', () => {
  it('healthy lab: every command with --json', async () => {
    const backups = join(work, 'backups')
    const dashboard = join(work, 'generated.json')
    // first the ones others read from: a backup, a generated dashboard
    const [backup, generated] = await checkAll([['backup dashboards', ['--dir', backups]], ['dashboards generate', ['--output', dashboard]]], 2)
    const outcomes = [
      backup!,
      generated!,
      ...(await checkAll([
        ['version'],
        ['config show'],
        ['config validate'],
        ['config scrape'],
        ['config scrape', ['--diff']],
        ['config init', [join(work, 'init.yaml')]],
        ['health'],
        ['targets'],
        ['alerts'],
        ['cluster'],
        ['gpu'],
        ['inference'],
        ['query', ['up']],
        ['query', ['up', '--since', '2m', '--step', '30s']],
        ['tsdb status'],
        ['tsdb delete-series', ['--match', 'nothing_here_metric']],
        ['tsdb snapshot'],
        ['tsdb compact'],
        ['exporter status'],
        ['firewall check', ['hydra-storage']],
        ['docker logdriver'],
        ['docker logs', ['tabbyapi', '--tail', '3']],
        ['backup verify', [backups]],
        ['restore dashboards', [backup!.doc?.dir ?? backups, '--dry-run']],
        ['dashboards list'],
        ['dashboards check'],
        ['dashboards import', [dashboard, '--dry-run']],
        ['datasources'],
        ['logs', ['{job=~".+"}', '--since', '1h', '--limit', '5']],
        ['loki labels'],
        ['loki canary'],
        ['rules render', ['--offline']],
        ['rules diff'],
        ['silence list'],
        ['silence add', ['--node', 'hydra-compute', '--for', '1h', '--comment', 'json contract', '--dry-run']],
        ['silence expire', ['5f0c1d2e-3a4b-4c5d-8e9f-0123456789ab', '--dry-run']],
        ['doctor'],
      ])),
    ]
    // the snapshot is the one change to the lab: remove it
    const snap = outcomes.find((o) => o.command === 'tsdb snapshot')?.doc
    if (snap?.path) rmSync(snap.path, {recursive: true, force: true})
    for (const o of outcomes) ran.add(o.command)
    expect(report(outcomes)).toBe('')
    // a healthy lab's answers are results, not error documents (backup is whole: exit 0)
    expect(outcomes.filter((o) => o.doc?.error).map((o) => `${o.command}: ${o.doc.error.message}`)).toEqual([])
    expect(backup!.run.code).toBe(0)
  }, 600_000)

  it('failing and partial runs: one per family', async () => {
    await Promise.all([
      lab.stop('node-exporter@hydra-compute'),
      lab.stop('alertmanager'),
      lab.fault('grafana', {status: 401, body: '{"message":"Unauthorized"}', contentType: 'application/json'}),
      lab.fault('loki', {status: 503, body: 'Ingester not ready: waiting for 15s after being ready', paths: ['/ready', '/loki/api/v1/query_range', '/loki/api/v1/labels']}),
    ])
    await waitForTargetHealth(PROM, '127.0.0.3:9100', 'down', 30_000)
    await waitForAlertFiring(PROM, 'NodeExporterDown')
    const outcomes = await checkAll([
      ['targets'],
      ['health'],
      ['cluster'],
      ['query', ['up{']],
      ['alerts'],
      ['silence list'],
      ['exporter status', ['hydra-compute']],
      ['docker logs', ['no-such-container']],
      ['datasources'],
      ['backup dashboards', ['--dir', join(work, 'backups-refused')]],
      ['backup verify', [join(work, 'no-backup-here')]],
      ['targets', ['--textfile', join(work, 'no-such-dir', 'hydra_targets.prom')]],
      ['logs', ['{job=~".+"}', '--since', '1h']],
      ['loki labels'],
      ['doctor'],
    ])
    for (const o of outcomes) ran.add(o.command)
    expect(report(outcomes)).toBe('')
    // each case did fail: the failure shapes were exercised, not a lucky success
    const codes = Object.fromEntries(outcomes.map((o) => [`${o.command} ${o.args.join(' ')}`.trim(), o.run.code]))
    expect(Object.entries(codes).filter(([, code]) => code === 0)).toEqual([])
    expect(codes['query up{']).toBe(2)
    expect(codes.datasources).toBe(4)
    expect(outcomes.find((o) => o.command === 'alerts')!.doc.alertmanager).toMatchObject({reachable: false})
    // the work done, its --textfile not written: the result document with error, exit 2
    const textfile = outcomes.find((o) => o.args[0] === '--textfile')!
    expect(textfile.run.code).toBe(2)
    expect(textfile.doc).toMatchObject({exitCode: 2, summary: {down: 1}, error: {code: 'textfile_write'}})
  }, 600_000)

  it('together the two rounds ran every command that has --json', () => {
    expect([...ran].sort()).toEqual(JSON_COMMANDS)
  })
})
