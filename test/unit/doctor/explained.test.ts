/**
 * One fault, one problem: firing alerts that a failed check explains become that check's evidence
 * (issue 10, item 6). Labels as the lab's real Prometheus gives them for the rendered rules
 * (hydra rules render) and for the runbook's own rule names.
 */
import {describe, expect, it} from 'vitest'

import {explains, foldExplainedAlerts} from '../../../src/lib/doctor/explained.js'
import type {CheckResult} from '../../../src/lib/doctor/model.js'
import {labConfig} from '../../helpers/lab-config.js'

const cfg = labConfig()

function fail(id: string, kind: string, extra: Partial<CheckResult> = {}): CheckResult {
  const subject = id.split(':')[1]!
  const node = subject.startsWith('hydra-') ? subject.split('/')[0]! : undefined
  return {id, kind, group: node ?? subject, ...(node ? {node} : {service: subject}), title: id, status: 'fail', cause: 'unit_inactive', detail: 'down', evidence: ['systemd: inactive (dead)'], durationMs: 1, ...extra}
}
function alerts(...labels: Record<string, string>[]): CheckResult {
  return {
    ...fail('alerts:prometheus', 'alerts', {service: 'prometheus', node: undefined, group: 'prometheus', cause: 'alerts_firing'}),
    detail: `${labels.length} alerts firing`,
    evidence: labels.map((l) => `${l.alertname} ${l.instance ?? ''}`.trim()),
    alertLabels: labels,
  }
}
const byId = (rs: CheckResult[], id: string) => rs.find((r) => r.id === id)!
const nodeDownCompute = {alertname: 'NodeExporterDown', instance: '127.0.0.3:9100', job: 'node', node: 'hydra-compute', severity: 'critical'}

describe('foldExplainedAlerts', () => {
  it('node exporter stopped: NodeExporterDown is evidence of the exporter chain, not a second problem', () => {
    const out = foldExplainedAlerts(cfg, [fail('exporter:hydra-compute/node', 'exporter'), alerts(nodeDownCompute)])
    expect(byId(out, 'exporter:hydra-compute/node').evidence).toEqual(['systemd: inactive (dead)', 'Prometheus fires NodeExporterDown 127.0.0.3:9100: explained by this failure'])
    const a = byId(out, 'alerts:prometheus')
    expect(a).toMatchObject({status: 'ok', detail: '1 alert firing, each explained by a failed check (exporter:hydra-compute/node)'})
    expect(a.cause).toBeUndefined()
    expect(out.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual(['exporter:hydra-compute/node'])
  })

  it("an alert of another name on the same instance (the runbook's NodeDown) is explained by the instance", () => {
    const out = foldExplainedAlerts(cfg, [fail('target:hydra-compute/node', 'target', {cause: 'unit_inactive'}), alerts({alertname: 'NodeDown', instance: '127.0.0.3:9100', job: 'node'})])
    expect(byId(out, 'alerts:prometheus').status).toBe('ok')
    expect(byId(out, 'target:hydra-compute/node').evidence?.at(-1)).toBe('Prometheus fires NodeDown 127.0.0.3:9100: explained by this failure')
  })

  it('an unreachable node explains every alert about it (node label or one of its exporters)', () => {
    const ssh = fail('ssh:hydra-ai', 'ssh', {cause: 'node_unreachable'})
    const out = foldExplainedAlerts(cfg, [ssh, alerts({alertname: 'NodeExporterDown', instance: '127.0.0.4:9100', node: 'hydra-ai'}, {alertname: 'TargetDown', instance: '127.0.0.4:9835', job: 'nvidia-gpu'})])
    expect(byId(out, 'alerts:prometheus').status).toBe('ok')
    expect(byId(out, 'ssh:hydra-ai').evidence?.slice(-2)).toEqual(['Prometheus fires NodeExporterDown 127.0.0.4:9100: explained by this failure', 'Prometheus fires TargetDown 127.0.0.4:9835: explained by this failure'])
  })

  it('an alert nothing explains stays a problem of its own, and the detail says how many were explained', () => {
    const disk = {alertname: 'RootDiskSpaceLow', instance: '127.0.0.2:9100', node: 'hydra-storage'}
    const out = foldExplainedAlerts(cfg, [fail('exporter:hydra-compute/node', 'exporter'), alerts(nodeDownCompute, disk)])
    const a = byId(out, 'alerts:prometheus')
    expect(a).toMatchObject({status: 'fail', cause: 'alerts_firing', detail: '1 alert firing: RootDiskSpaceLow (1 explained by exporter:hydra-compute/node)', alertLabels: [disk]})
    expect(a.evidence).toEqual(['RootDiskSpaceLow 127.0.0.2:9100'])
  })

  it("by the rendered rule's name: a failed disk check explains RootDiskSpaceLow of its node only", () => {
    const diskAi = fail('disk:hydra-ai', 'disk', {cause: 'disk_full'})
    expect(explains(cfg, diskAi, {alertname: 'RootDiskSpaceLow', instance: '127.0.0.4:9100', node: 'hydra-ai'})).toBe(true)
    expect(explains(cfg, diskAi, {alertname: 'RootDiskSpaceLow', instance: '127.0.0.2:9100', node: 'hydra-storage'})).toBe(false)
    expect(explains(cfg, diskAi, {alertname: 'MemoryAvailableLow', instance: '127.0.0.4:9100', node: 'hydra-ai'})).toBe(false)
    // a disk check is no link of an exporter's chain: the instance alone does not make it the cause
    expect(explains(cfg, diskAi, {alertname: 'NodeExporterDown', instance: '127.0.0.4:9100', node: 'hydra-ai'})).toBe(false)
  })

  it('nothing else failed, or nothing fires: the results are as they were', () => {
    const only = [alerts(nodeDownCompute)]
    expect(foldExplainedAlerts(cfg, only)).toBe(only)
    const calm = [fail('exporter:hydra-compute/node', 'exporter')]
    expect(foldExplainedAlerts(cfg, calm)).toBe(calm)
    // a passed or skipped check explains nothing
    const skipped = [{...fail('exporter:hydra-compute/node', 'exporter'), status: 'skipped' as const}, alerts(nodeDownCompute)]
    expect(byId(foldExplainedAlerts(cfg, skipped), 'alerts:prometheus').status).toBe('fail')
  })
})
