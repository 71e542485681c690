/**
 * exporter status's reads on a node, with a scripted session (no sshd): the node's systemd units
 * are asked for in ONE `systemctl show`, and a unit whose shared call does not answer cleanly is
 * asked for on its own, so its failure stays its own.
 */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {scriptedSsh, type ScriptedAnswer} from '../../helpers/scripted-ssh.js'

import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {exporterStatus} from '../../../src/lib/exporters/status.js'

const cfg = resolveConfig(
  parse(`
nodes:
  hydra-compute:
    address: 127.0.0.3
    firewall: none
    exporters:
      node: {port: 9100, managedBy: systemd, unit: prometheus-node-exporter.service}
      gpu: {port: 9835, managedBy: systemd, unit: prometheus-nvidia-gpu-exporter.service}
services:
  prometheus: {node: hydra-compute, port: 9090}
`),
)
const node = cfg.nodes[0]!
const SHOW = 'systemctl show --no-pager -p LoadState,ActiveState,SubState,MainPID,ExecMainStatus,Result --'
const active = (pid: number) => `LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=${pid}\nExecMainStatus=0\nResult=success\n`
const failed = 'LoadState=loaded\nActiveState=failed\nSubState=failed\nMainPID=0\nExecMainStatus=1\nResult=exit-code\n'
/** `ss -ltnH`: the list (`ss -ltnpH`, with owners, is asked only when an exporter is not where the config says) */
const SS_PLAIN = 'LISTEN 0 4096 127.0.0.3:9100 0.0.0.0:*\nLISTEN 0 4096 127.0.0.3:9835 0.0.0.0:*\n'

const scripted = (answers: Record<string, ScriptedAnswer>) => scriptedSsh(cfg, node, answers)

const fetchMetrics = async () => ({ok: true, status: 200, latencyMs: 1, detail: 'HTTP 200'})

describe('exporter status: the node\'s systemd units in one systemctl show', () => {
  it('asks once for both units and gives each its own block', async () => {
    const {sent, pool} = scripted({
      [`${SHOW} 'prometheus-node-exporter.service' 'prometheus-nvidia-gpu-exporter.service'`]: [`${active(11)}\n${failed}`, 0],
      'ss -ltnH': [SS_PLAIN, 0],
    })
    const report = await exporterStatus(cfg, {pool, fetchMetrics})
    expect(sent.filter((l) => l.startsWith('systemctl'))).toHaveLength(1)
    expect(report.rows.map((r) => [r.exporter, r.state, r.systemd?.mainPid])).toEqual([
      ['node', 'running', 11],
      ['gpu', 'failed', 0],
    ])
    expect(report.rows[1]!.hint).toContain('journalctl -u prometheus-nvidia-gpu-exporter.service')
  })

  it('asks unit by unit when the shared call fails, so one unit\'s failure is not the other\'s', async () => {
    const {sent, pool} = scripted({
      [`${SHOW} 'prometheus-node-exporter.service' 'prometheus-nvidia-gpu-exporter.service'`]: ['', 1, 'Failed to get properties: Access denied'],
      [`${SHOW} 'prometheus-node-exporter.service'`]: [active(11), 0],
      [`${SHOW} 'prometheus-nvidia-gpu-exporter.service'`]: ['', 1, 'Failed to get properties: Access denied'],
      'ss -ltnH': [SS_PLAIN, 0],
    })
    const report = await exporterStatus(cfg, {pool, fetchMetrics})
    expect(sent.filter((l) => l.startsWith('systemctl'))).toHaveLength(3)
    expect(report.rows[0]).toMatchObject({exporter: 'node', state: 'running', ok: true})
    expect(report.rows[1]).toMatchObject({exporter: 'gpu', ok: false})
    expect(report.rows[1]!.error?.message).toMatch(/Access denied/)
  })

  it('asks unit by unit when the blocks do not match the units', async () => {
    const {sent, pool} = scripted({
      [`${SHOW} 'prometheus-node-exporter.service' 'prometheus-nvidia-gpu-exporter.service'`]: [active(11), 0],
      [`${SHOW} 'prometheus-node-exporter.service'`]: [active(11), 0],
      [`${SHOW} 'prometheus-nvidia-gpu-exporter.service'`]: [active(12), 0],
      'ss -ltnH': [SS_PLAIN, 0],
    })
    const report = await exporterStatus(cfg, {pool, fetchMetrics})
    expect(sent.filter((l) => l.startsWith('systemctl'))).toHaveLength(3)
    expect(report.rows.map((r) => r.systemd?.mainPid)).toEqual([11, 12])
    expect(report.summary.ok).toBe(2)
  })
})

describe('exporter status: who owns a socket is asked only when an exporter is not on its port', () => {
  const both = `${SHOW} 'prometheus-node-exporter.service' 'prometheus-nvidia-gpu-exporter.service'`

  it('never runs ss -p when every exporter listens where the config says', async () => {
    const {sent, pool} = scripted({[both]: [`${active(11)}\n${active(12)}`, 0], 'ss -ltnH': [SS_PLAIN, 0]})
    const report = await exporterStatus(cfg, {pool, fetchMetrics})
    expect(report.summary.ok).toBe(2)
    expect(sent).not.toContain('ss -ltnpH')
  })

  it('names the port the exporter\'s MainPID listens on, from one ss -ltnpH for the node', async () => {
    const moved = 'LISTEN 0 4096 127.0.0.3:9101 0.0.0.0:*\nLISTEN 0 4096 127.0.0.3:9836 0.0.0.0:*\n'
    const owners = 'LISTEN 0 4096 127.0.0.3:9101 0.0.0.0:* users:(("prometheus-node",pid=11,fd=3))\nLISTEN 0 4096 127.0.0.3:9836 0.0.0.0:* users:(("nvidia_gpu_expo",pid=12,fd=3))\n'
    const {sent, pool} = scripted({[both]: [`${active(11)}\n${active(12)}`, 0], 'ss -ltnH': [moved, 0], 'ss -ltnpH': [owners, 0]})
    const report = await exporterStatus(cfg, {pool, fetchMetrics})
    expect(sent.filter((l) => l === 'ss -ltnpH')).toHaveLength(1)
    expect(report.rows.map((r) => [r.exporter, r.portMismatch?.listening])).toEqual([
      ['node', ['127.0.0.3:9101']],
      ['gpu', ['127.0.0.3:9836']],
    ])
  })

  it('reports not listening, without a port mismatch, when ss -p fails', async () => {
    const {pool} = scripted({[both]: [`${active(11)}\n${active(12)}`, 0], 'ss -ltnH': ['', 0], 'ss -ltnpH': ['', 1, 'ss: permission denied']})
    const report = await exporterStatus(cfg, {pool, fetchMetrics})
    expect(report.rows.map((r) => [r.listening, r.portMismatch])).toEqual([
      [false, undefined],
      [false, undefined],
    ])
  })
})
