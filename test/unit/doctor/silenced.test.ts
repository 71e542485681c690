/**
 * Doctor's silenced failures: which failed checks the lab's real Alertmanager silences mute
 * (silences captured from prometheus-alertmanager 0.25 after `hydra silence add --node
 * hydra-compute`, a `!=` and a regex silence, a pending and expired ones), how the report, the
 * verdict and the metrics say it, and that the exit code does not change.
 */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import type {AmSilence} from '../../../src/lib/alertmanager/api.js'
import {doctorMetrics} from '../../../src/lib/doctor/metrics.js'
import type {Check, CheckResult} from '../../../src/lib/doctor/model.js'
import {renderDoctorReport} from '../../../src/lib/doctor/render.js'
import {runDoctor} from '../../../src/lib/doctor/run.js'
import {failureAlertLabels, markSilenced, silencedText} from '../../../src/lib/doctor/silenced.js'
import {renderMetrics} from '../../../src/lib/output/textfile.js'
import {rulesFromConfig} from '../../../src/lib/rules/render.js'
import {makeStyler} from '../../../src/lib/output/terminal.js'
import {labConfig} from '../../helpers/lab-config.js'

const silences = JSON.parse(readFileSync(new URL('../../fixtures/alertmanager/silences-doctor.json', import.meta.url), 'utf8')) as AmSilence[]
const capturedAt = new Date('2026-11-30T20:53:40Z')
const cfg = labConfig()
const reboot = silences.filter((s) => s.comment === 'reboot for kernel 6.12').map((s) => s.id).sort()

function result(id: string, kind: string, extra: Partial<CheckResult> = {}): CheckResult {
  const node = id.split(':')[1]!.split('/')[0]!
  return {id, kind, group: node, node, title: id, status: 'fail', cause: 'unit_inactive', detail: 'down', durationMs: 1, ...extra}
}
const mark = (r: CheckResult) => markSilenced(cfg, [r], silences, capturedAt)[0]!

describe('silenced failures', () => {
  it('a node silenced with silence add --node: every failure of the node, by who, why and until when', () => {
    const r = mark(result('exporter:hydra-compute/node', 'exporter'))
    expect(r.silenced?.map((s) => s.id).sort()).toEqual(reboot)
    expect(r.silenced?.[0]).toMatchObject({createdBy: 'typhon', comment: 'reboot for kernel 6.12', endsAt: '2026-11-30T21:53:12.341Z'})
    expect(silencedText(r.silenced!)).toEqual([`silenced by typhon until 2026-11-30 21:53 UTC: "reboot for kernel 6.12" (silence ${r.silenced!.map((s) => s.id).join(', ')})`])
    for (const [id, kind] of [['ssh:hydra-compute', 'ssh'], ['target:hydra-compute/gpu', 'target'], ['memory:hydra-compute', 'memory']]) expect(mark(result(id!, kind!)).silenced, id).toHaveLength(2)
  })

  it('the labels are those of the rendered alert for the same fault, and hydra’s own HydraCheckFailing', () => {
    expect(failureAlertLabels(cfg, result('fetch:hydra-compute/gpu', 'fetch'))).toEqual([
      {alertname: 'HydraCheckFailing', check: 'fetch:hydra-compute/gpu', node: 'hydra-compute'},
      {alertname: 'TargetDown', node: 'hydra-compute', instance: '127.0.0.3:9835', job: 'nvidia-gpu'},
    ])
    expect(failureAlertLabels(cfg, result('disk:hydra-ai', 'disk'))[1]).toEqual({alertname: 'RootDiskSpaceLow', node: 'hydra-ai', instance: '127.0.0.4:9100', job: 'node'})
  })

  it('every alert name a failure maps to is one hydra rules render renders', () => {
    const rendered = new Set(rulesFromConfig(cfg, {}, {lokiJob: 'loki'}).groups.flatMap((g) => g.rules.map((r) => r.alert)))
    const kinds = ['ssh', 'exporter', 'firewall', 'fetch', 'target', 'disk', 'memory', 'rules', 'retention', 'logs', 'backup', 'health']
    const names = kinds.flatMap((kind) => [result(`${kind}:hydra-compute/node`, kind), result(`${kind}:hydra-compute/gpu`, kind), {...result(`${kind}:loki`, kind), service: 'loki'}]).flatMap((r) => failureAlertLabels(cfg, r).map((l) => l.alertname!))
    expect(new Set(names).size).toBe(10)
    for (const name of names) expect(rendered, name).toContain(name)
  })

  it('matchers on the alert name: RootDiskSpaceLow silenced except on hydra-storage (node!=), GPU alerts not for disk', () => {
    expect(mark(result('disk:hydra-ai', 'disk')).silenced).toEqual([expect.objectContaining({createdBy: 'ops', comment: 'disk cleanup running'})])
    // node!=hydra-storage, and the pending hydra-storage silence does not count yet
    expect(mark(result('disk:hydra-storage', 'disk')).silenced).toBeUndefined()
    expect(mark(result('memory:hydra-ai', 'memory')).silenced).toBeUndefined()
    // the hydra-ai silences are expired
    expect(mark(result('exporter:hydra-ai/node', 'exporter')).silenced).toBeUndefined()
  })

  it('only failures: an ok or skipped check is never marked', () => {
    expect(mark(result('exporter:hydra-compute/node', 'exporter', {status: 'ok'})).silenced).toBeUndefined()
    expect(mark(result('fetch:hydra-compute/node', 'fetch', {status: 'skipped'})).silenced).toBeUndefined()
  })

  it('a check that names its alerts (alerts:prometheus) is silenced only when every one of them is', () => {
    const compute = {alertname: 'NodeExporterDown', node: 'hydra-compute', instance: '127.0.0.3:9100', job: 'node', severity: 'critical'}
    const alerts = (labels: Record<string, string>[]) => ({...result('alerts:prometheus', 'alerts', {cause: 'alerts_firing', alertLabels: labels}), node: undefined, service: 'prometheus'})
    expect(mark(alerts([compute])).silenced?.map((s) => s.id).sort()).toEqual(reboot)
    expect(mark(alerts([compute, {alertname: 'TargetDown', instance: '127.0.0.30:9835', job: 'gpu'}])).silenced).toBeUndefined()
  })
})

describe('runDoctor with silences', () => {
  const check = (id: string, kind: string, status: 'ok' | 'fail', node = 'hydra-compute'): Check => ({
    id,
    kind,
    group: node,
    node,
    title: id,
    dependsOn: [],
    timeoutMs: 2000,
    run: async () => (status === 'ok' ? {status, detail: 'fine'} : {status, cause: 'unit_inactive', detail: 'unit prometheus-node-exporter.service is not active', hint: 'sudo systemctl restart prometheus-node-exporter'}),
  })

  it('the failure reads as silenced (report, verdict, JSON, metrics); the exit code is unchanged', async () => {
    const report = await runDoctor(cfg, {
      checks: [check('ssh:hydra-compute', 'ssh', 'ok'), check('exporter:hydra-compute/node', 'exporter', 'fail')],
      readSilences: async () => ({read: {status: 'read', active: 4}, silences: silences.map((s) => (s.status.state === 'active' ? {...s, endsAt: '2099-01-01T00:00:00.000Z'} : s))}),
    })
    expect(report.exitCode).toBe(1)
    expect(report.summary.fail).toBe(1)
    expect(report.silences).toEqual({status: 'read', active: 4})
    expect(report.verdict).toBe('hydra: 1 problem: exporter:hydra-compute/node unit_inactive (silenced)')
    const text = renderDoctorReport(report, {style: makeStyler(false)})
    expect(text).toMatch(/^FAIL exporter:hydra-compute\/node: unit_inactive: .*\n {2}silenced by typhon until 2099-01-01 00:00 UTC: "reboot for kernel 6\.12" \(silence [0-9a-f-]+, [0-9a-f-]+\)\n {2}hint: /)
    const metrics = renderMetrics(doctorMetrics(report))
    expect(metrics).toContain('hydra_check_up{check="exporter:hydra-compute/node",node="hydra-compute"} 0\n')
    expect(metrics).toContain('hydra_check_silenced{check="exporter:hydra-compute/node",node="hydra-compute"} 1\n')
    expect(metrics).not.toContain('hydra_check_silenced{check="ssh:hydra-compute"')
  })

  it('Alertmanager unreachable: the failure as it is, and one note that silences were not read', async () => {
    const report = await runDoctor(cfg, {
      checks: [check('exporter:hydra-compute/node', 'exporter', 'fail'), check('exporter:hydra-ai/node', 'exporter', 'fail', 'hydra-ai')],
      readSilences: async () => ({read: {status: 'unreachable', active: 0, error: 'http://127.0.0.2:9093: connection refused'}, silences: []}),
    })
    expect(report.exitCode).toBe(1)
    expect(report.checks.every((c) => c.silenced === undefined)).toBe(true)
    const text = renderDoctorReport(report, {style: makeStyler(false)})
    expect(text.match(/silences not read/g)).toHaveLength(1)
    expect(text).toContain('note: silences not read (http://127.0.0.2:9093: connection refused)')
  })

  it('nothing failed: the silences are not waited for (their read is cancelled)', async () => {
    let aborted = false
    const report = await runDoctor(cfg, {
      checks: [check('ssh:hydra-compute', 'ssh', 'ok')],
      readSilences: (_cfg, {signal}) =>
        new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve({read: {status: 'unreachable', active: 0}, silences: []})))),
    })
    expect(report.exitCode).toBe(0)
    expect(report.silences).toEqual({status: 'not_needed', active: 0})
    expect(aborted).toBe(true)
  })
})

describe('runDoctor: a slow Alertmanager', () => {
  it('costs at most the grace after the checks: then the silences are said not read', async () => {
    const t0 = Date.now()
    const report = await runDoctor(labConfig(), {
      checks: [{id: 'ssh:hydra-compute', kind: 'ssh', group: 'hydra-compute', node: 'hydra-compute', title: '', dependsOn: [], timeoutMs: 1000, run: async () => ({status: 'fail', cause: 'timeout', detail: 'x'})}],
      readSilences: (_cfg, {signal}) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve({read: {status: 'unreachable', active: 0, error: 'timed out'}, silences: []}))),
    })
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(report.exitCode).toBe(1)
    expect(report.silences).toMatchObject({status: 'unreachable'})
  })
})
