/**
 * The diagnosis chain, against what the real tools said in the lab (test/fixtures/doctor/:
 * `hydra exporter status --json` and `hydra firewall check --json` over the lab's sshd, the
 * systemctl shim and real iptables; Prometheus's own /api/v1/targets with a stopped exporter).
 */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import type {ExporterStatusRow} from '../../../src/lib/exporters/status.js'
import type {NodeFirewall} from '../../../src/lib/firewall/check.js'
import {buildTargetsReport, type TargetsData} from '../../../src/lib/prometheus/targets.js'
import {diagnoseDownTarget, exporterStateDiagnosis, fetchDiagnosis, firewallDiagnosis, sshDiagnosis} from '../../../src/lib/doctor/diagnose.js'
import {labConfig} from '../../helpers/lab-config.js'

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/doctor/${name}`, import.meta.url), 'utf8'))
const cfg = labConfig()
const compute = cfg.nodes.find((n) => n.name === 'hydra-compute')!
const nodeExporter = compute.exporters.find((e) => e.name === 'node')!
const row = (file: string, id = 'hydra-compute/node'): ExporterStatusRow => fixture(file).rows.find((r: ExporterStatusRow) => r.id === id)
const firewall = (file: string): NodeFirewall => fixture(file).nodes[0]
const downTarget = () => {
  const data = fixture('targets-compute-node-down.json').data as TargetsData
  return buildTargetsReport('http://127.0.0.2:9090', data, cfg).targets.find((t) => t.instance === '127.0.0.3:9100')!
}

describe('sshDiagnosis', () => {
  it('a connect timeout is node_unreachable, with ping and ssh as the next steps', () => {
    const d = sshDiagnosis(compute, 'root', {failure: 'timeout', message: 'hydra-compute: no SSH handshake with 127.0.0.3:22 within 2000ms'})
    expect(d).toMatchObject({status: 'fail', cause: 'node_unreachable'})
    expect(d.hint).toBe('check that hydra-compute is powered on and on the network (ping 127.0.0.3; its console), then: ssh root@127.0.0.3')
  })
  it('refused and auth are not "unreachable": the node answers', () => {
    expect(sshDiagnosis(compute, 'root', {failure: 'refused', message: 'refused'}).cause).toBe('ssh_refused')
    expect(sshDiagnosis(compute, 'root', {failure: 'auth', message: 'denied', hint: 'add the key'})).toMatchObject({cause: 'ssh_auth', hint: 'add the key'})
    expect(sshDiagnosis(compute, 'root', {failure: 'host_key_changed', message: 'changed'}).cause).toBe('ssh_host_key')
  })
})

describe('exporterStateDiagnosis (systemctl shim + ss, real output)', () => {
  it('a stopped unit → unit_inactive with the restart command and the listening evidence', () => {
    const d = exporterStateDiagnosis(row('exporter-status-compute-stopped.json'), nodeExporter)
    expect(d.status).toBe('fail')
    expect(d.cause).toBe('unit_inactive')
    expect(d.detail).toMatch(/^hydra-compute\/node: unit prometheus-node-exporter\.service is not active \(ActiveState=inactive SubState=dead/)
    expect(d.hint).toBe('sudo systemctl restart prometheus-node-exporter.service')
    expect(d.evidence?.[1]).toMatch(/^ss -ltn: port 9100 is bound only to .*not 127\.0\.0\.3$/)
  })
  it('a running, listening unit is ok', () => {
    expect(exporterStateDiagnosis(row('exporter-status-compute-ok.json'), nodeExporter)).toMatchObject({status: 'ok'})
  })
  it('running but not listening on the node address → not_listening', () => {
    const r = {...row('exporter-status-compute-ok.json'), listening: false, listenDetail: 'port 9100 is bound only to 127.0.0.1:9100, not 127.0.0.3'}
    expect(exporterStateDiagnosis(r, nodeExporter)).toMatchObject({status: 'fail', cause: 'not_listening'})
  })
})

describe('firewallDiagnosis (real iptables -S in the lab namespace)', () => {
  it('the DROP rule blocks 9100 → firewall_blocked naming the rule, with the NixOS fix', () => {
    const d = firewallDiagnosis(firewall('firewall-compute-drop-9100.json'), 9100)
    expect(d.cause).toBe('firewall_blocked')
    expect(d.detail).toBe("hydra-compute's firewall blocks port 9100 from 127.0.0.1: -A INPUT -d 127.0.0.3/32 -p tcp -m tcp --dport 9100 -j DROP")
    expect(d.hint).toContain('networking.firewall.allowedTCPPorts = [ 9100 ];')
    expect(d.hint).toContain("openFirewall = true")
  })
  it('the NixOS accept rule lets it in', () => {
    const d = firewallDiagnosis(firewall('firewall-compute-ok.json'), 9100)
    expect(d.status).toBe('ok')
    expect(d.detail).toContain('--dport 9100 -m comment --comment node-exporter -j nixos-fw-accept')
  })
  it('a firewall that could not be read is an ssh_command failure with its hint', () => {
    const d = firewallDiagnosis({node: 'hydra-compute', rulesRead: [], verdicts: [], error: {code: 'ssh_sudo_password', failure: 'sudo_password', message: 'sudo wants a password', hint: 'NOPASSWD'}}, 9100)
    expect(d).toMatchObject({status: 'fail', cause: 'ssh_command', hint: 'NOPASSWD'})
  })
})

describe('fetchDiagnosis', () => {
  it('refused and timed-out fetches point at different next commands', () => {
    expect(fetchDiagnosis({ok: false, latencyMs: 1, detail: 'connection refused'}, nodeExporter)).toMatchObject({cause: 'exporter_refused', hint: 'nothing accepts connections on 127.0.0.3:9100: hydra exporter status hydra-compute'})
    expect(fetchDiagnosis({ok: false, latencyMs: 2000, detail: 'timed out after 2000ms'}, nodeExporter)).toMatchObject({cause: 'exporter_timeout', hint: 'the port does not answer: hydra firewall check hydra-compute --port 9100'})
    expect(fetchDiagnosis({ok: true, status: 200, latencyMs: 3, detail: 'HTTP 200, 21170 bytes'}, nodeExporter).status).toBe('ok')
  })
})

describe('diagnoseDownTarget: the first broken link is the one cause', () => {
  const t = downTarget()

  it('the fixture target is down with Prometheus\'s own error', () => {
    expect(t).toMatchObject({node: 'hydra-compute', job: 'node', health: 'down', errorCause: 'refused'})
  })

  it('node unreachable wins over everything after it', () => {
    const d = diagnoseDownTarget({target: t, node: compute, exporter: nodeExporter, ssh: {ok: false, failure: 'timeout', message: 'no handshake'}})
    expect(d.cause).toBe('node_unreachable')
    expect(d.evidence?.[0]).toMatch(/^Prometheus: node 127\.0\.0\.3:9100 is down: .*connection refused/)
  })

  it('a stopped unit → unit_inactive, even though the fetch fails too', () => {
    const d = diagnoseDownTarget({
      target: t,
      node: compute,
      exporter: nodeExporter,
      ssh: {ok: true},
      state: row('exporter-status-compute-stopped.json'),
      firewall: firewall('firewall-compute-ok.json'),
      fetch: {ok: false, latencyMs: 1, detail: 'connection refused'},
    })
    expect(d).toMatchObject({status: 'fail', cause: 'unit_inactive', hint: 'sudo systemctl restart prometheus-node-exporter.service'})
  })

  it('unit running, firewall dropping → firewall_blocked', () => {
    const d = diagnoseDownTarget({
      target: t,
      node: compute,
      exporter: nodeExporter,
      ssh: {ok: true},
      state: row('exporter-status-compute-ok.json'),
      firewall: firewall('firewall-compute-drop-9100.json'),
      fetch: {ok: false, latencyMs: 2000, detail: 'timed out'},
    })
    expect(d.cause).toBe('firewall_blocked')
    expect(d.evidence?.some((e) => e.startsWith('systemd: ActiveState=active'))).toBe(true)
  })

  it('SSH refused: state and firewall unknown, so the fetch decides, and the evidence says what was not checked', () => {
    const d = diagnoseDownTarget({target: t, node: compute, exporter: nodeExporter, ssh: {ok: false, failure: 'refused', message: 'ECONNREFUSED'}, fetch: {ok: false, latencyMs: 1, detail: 'connection refused'}})
    expect(d.cause).toBe('exporter_refused')
    expect(d.evidence).toContain('SSH: ECONNREFUSED (unit state and firewall not checked)')
  })

  it('everything works from hydra → the fault is between Prometheus and the exporter', () => {
    const d = diagnoseDownTarget({
      target: t,
      node: compute,
      exporter: nodeExporter,
      ssh: {ok: true},
      state: row('exporter-status-compute-ok.json'),
      firewall: firewall('firewall-compute-ok.json'),
      fetch: {ok: true, status: 200, latencyMs: 2, detail: 'HTTP 200'},
    })
    expect(d.cause).toBe('prometheus_cannot_scrape')
    expect(diagnoseDownTarget({target: {...t, scrapeUrl: 'http://127.0.0.3:9101/metrics'}, node: compute, exporter: nodeExporter, fetch: {ok: true, latencyMs: 1, detail: 'HTTP 200'}}).cause).toBe('scrape_config_mismatch')
  })

  describe("hydra fetches the exporter, Prometheus's scrape fails: Prometheus's own error says where (lastError as Prometheus 2.42 words it)", () => {
    const up = {target: t, node: compute, exporter: nodeExporter, ssh: {ok: true} as const, state: row('exporter-status-compute-ok.json'), firewall: firewall('firewall-compute-ok.json')}
    const failing = (lastError: string, errorCause: typeof t.errorCause, scrapeTimeout = '10s') => ({...t, lastError, errorCause, scrapeTimeout})
    const timeout = failing('Get "http://127.0.0.3:9100/metrics": context deadline exceeded', 'timeout')
    it('a fetch that took most of the scrape_timeout → scrape_timeout, with the collectors to look at', () => {
      const d = diagnoseDownTarget({...up, target: timeout, fetch: {ok: true, status: 200, latencyMs: 9_100, detail: 'HTTP 200'}})
      expect(d).toMatchObject({status: 'fail', cause: 'scrape_timeout'})
      expect(d.detail).toMatch(/^hydra-compute\/node answers hydra in 9100 ms, at or past the scrape_timeout of 10s Prometheus gives job node: /)
      expect(d.hint).toContain(`topk(5, node_scrape_collector_duration_seconds{instance="127.0.0.3:9100"})`)
    })
    it('a quick fetch where Prometheus times out → the path from Prometheus drops packets', () => {
      const d = diagnoseDownTarget({...up, target: timeout, fetch: {ok: true, status: 200, latencyMs: 12, detail: 'HTTP 200'}})
      expect(d.cause).toBe('prometheus_cannot_scrape')
      expect(d.hint).toMatch(/^hydra gets an answer in 12 ms where Prometheus times out: the path from Prometheus's host to 127\.0\.0\.3:9100 drops packets/)
    })
    it('an HTTP status only Prometheus gets → scrape_http_status: credentials for a 401/403, a proxy otherwise', () => {
      const fetch = {ok: true, status: 200, latencyMs: 3, detail: 'HTTP 200'}
      const d = diagnoseDownTarget({...up, target: failing('server returned HTTP status 401 Unauthorized', 'http_status'), fetch})
      expect(d).toMatchObject({cause: 'scrape_http_status'})
      expect(d.hint).toMatch(/basic_auth\/authorization for job node/)
      expect(diagnoseDownTarget({...up, target: failing('server returned HTTP status 502 Bad Gateway', 'http_status'), fetch}).hint).toMatch(/a proxy in front/)
    })
    it("Prometheus 3 refusing the Content-Type → scrape_parse_error with fallback_scrape_protocol", () => {
      const d = diagnoseDownTarget({...up, target: failing('received unsupported Content-Type "text/html" and no fallback_scrape_protocol specified for target', 'parse'), fetch: {ok: true, status: 200, latencyMs: 3, detail: 'HTTP 200'}})
      expect(d.cause).toBe('scrape_parse_error')
      expect(d.hint).toMatch(/fallback_scrape_protocol: PrometheusText0\.0\.4 for job node/)
    })
  })

  it('a target on no configured node or exporter says so', () => {
    expect(diagnoseDownTarget({target: {...t, node: undefined}}).cause).toBe('target_unknown_node')
    expect(diagnoseDownTarget({target: t, node: compute}).cause).toBe('target_unknown_exporter')
  })
})
