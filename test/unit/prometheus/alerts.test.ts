import {describe, expect, it} from 'vitest'

import {errorText, type AmAlert, type AmSilence} from '../../../src/lib/alertmanager/api.js'
import {httpError, type HttpFailureCause} from '../../../src/lib/clients/http/index.js'
import {alertsExitCode, amFailure, buildAlertRows, buildAmRows, buildSilenceRows, unhealthyRules, type AlertsReport, type PromAlert, type RuleGroup} from '../../../src/lib/prometheus/alerts.js'
import {clusterConfig, fixture} from '../../helpers/fixture-config.js'

// the real Prometheus 2.42 with node exporter 127.0.0.3 stopped (NodeDown firing, NodeDownForAnHour
// pending, BrokenRule failing with duplicate label sets) and the real Alertmanager it sends to
const alerts = fixture<{data: {alerts: PromAlert[]}}>('prometheus', 'alerts-firing-and-pending.json').data.alerts
const rules = fixture<{data: {groups: RuleGroup[]}}>('prometheus', 'rules-firing.json').data.groups
const amAlerts = fixture<AmAlert[]>('alertmanager', 'alerts.json')
const silences = fixture<AmSilence[]>('alertmanager', 'silences.json')
const cfg = clusterConfig()

describe('buildAlertRows', () => {
  it('lists firing before pending, with node, instance, severity and summary', () => {
    expect(buildAlertRows(cfg, alerts).map((r) => ({...r, labels: undefined}))).toEqual([
      {alertname: 'NodeDown', state: 'firing', severity: 'critical', node: 'hydra-compute', instance: '127.0.0.3:9100', since: '2026-11-24T00:38:58.927704128Z', summary: 'node exporter 127.0.0.3:9100 is down', labels: undefined},
      {alertname: 'NodeDownForAnHour', state: 'pending', severity: 'warning', node: 'hydra-compute', instance: '127.0.0.3:9100', since: '2026-11-24T00:39:12.927704128Z', summary: '127.0.0.3:9100 has been down for an hour', labels: undefined},
    ])
  })

  it('drops inactive alerts', () => {
    expect(buildAlertRows(cfg, [{labels: {alertname: 'X'}, state: 'inactive'}])).toEqual([])
  })
})

describe('unhealthyRules', () => {
  it('finds the failing rule with its lastError and ignores healthy ones', () => {
    expect(unhealthyRules(rules)).toEqual([
      {group: 'hydra', file: '/tmp/h3cap/rules.yml', rule: 'BrokenRule', type: 'alerting', health: 'err', lastError: 'vector cannot contain metrics with the same labelset'},
    ])
    expect(unhealthyRules(fixture<{data: {groups: RuleGroup[]}}>('prometheus', 'rules-healthy.json').data.groups).map((r) => r.rule)).toEqual(['BrokenRule'])
  })

  it('does not count a rule that has not been evaluated yet', () => {
    expect(unhealthyRules([{name: 'g', file: 'f', rules: [{name: 'r', query: 'up', type: 'recording', health: 'unknown'}]}])).toEqual([])
  })
})

describe('Alertmanager', () => {
  it("shows Alertmanager's copy of the alert with its receivers", () => {
    expect(buildAmRows(cfg, amAlerts)).toEqual([
      {alertname: 'NodeDown', state: 'active', severity: 'critical', node: 'hydra-compute', instance: '127.0.0.3:9100', since: '2026-11-24T00:39:00.927Z', receivers: ['default'], silencedBy: [], inhibitedBy: []},
    ])
  })

  it('lists active silences with their matchers, and drops expired ones', () => {
    const rows = buildSilenceRows([...silences, {...silences[0]!, id: 'old', status: {state: 'expired'}}])
    expect(rows).toEqual([
      {id: '434f11e2-0361-484d-8ed8-80531ec2959f', state: 'active', matchers: 'alertname="Maintenance"', endsAt: '2026-11-24T02:38:57.000Z', createdBy: 'hydra-test', comment: 'planned maintenance'},
    ])
  })
})

describe('amFailure: why Alertmanager gave no answer, in the words an operator acts on', () => {
  const http = (failure: HttpFailureCause, status?: number) => httpError({failure, url: 'http://am:9093/api/v2/alerts', method: 'GET', ...(status ? {status} : {})})
  it.each([
    [http('http_status', 401), 'auth'],
    [http('http_status', 403), 'auth'],
    [http('refused'), 'unreachable'],
    [http('connect_timeout'), 'unreachable'],
    [http('dns'), 'unreachable'],
    [http('timeout'), 'not_answering'],
    [http('http_status', 500), 'error_status'],
    [http('html'), 'not_its_api'],
    [http('truncated'), 'not_its_api'],
    [new Error('boom'), 'error'],
  ] as const)('%s → %s', (error, cause) => {
    expect(amFailure(error)).toBe(cause)
  })
})

describe('errorText: an error body in one line', () => {
  it("keeps Alertmanager's quoted string", () => {
    expect(errorText('"silence not found"\n')).toBe('silence not found')
  })
  it('names an HTML page by its title, never dumps it', () => {
    expect(errorText('<html>\n<head><title>401 Authorization Required</title></head><body>…</body></html>')).toBe('an HTML page ("401 Authorization Required")')
    expect(errorText('<!DOCTYPE html><p>x</p>')).toBe('an HTML page')
  })
})

describe('alertsExitCode (the exit policy of hydra alerts)', () => {
  const base: Omit<AlertsReport, 'exitCode'> = {prometheus: 'p', alerts: [], unhealthyRules: [], rules: {groups: 1, alerting: 1, recording: 0}, summary: {firing: 0, pending: 0, unhealthyRules: 0, silenced: 0}}
  const am = (cause: 'auth' | 'unreachable', required: boolean) => ({url: 'http://am', reachable: false as const, error: 'e', required, cause})

  it('is 0 when nothing fires or is broken (pending alerts included)', () => {
    expect(alertsExitCode({...base, summary: {...base.summary, pending: 2}})).toBe(0)
  })

  it('is 1 when an alert fires, unless --no-fail-on-firing', () => {
    const firing = {...base, summary: {...base.summary, firing: 1}}
    expect(alertsExitCode(firing)).toBe(1)
    expect(alertsExitCode(firing, {failOnFiring: true})).toBe(1)
    expect(alertsExitCode(firing, {failOnFiring: false})).toBe(0)
  })

  it('is 1 when a rule fails to evaluate or nothing evaluates rules, firing or not', () => {
    expect(alertsExitCode({...base, summary: {...base.summary, unhealthyRules: 1}}, {failOnFiring: false})).toBe(1)
    expect(alertsExitCode({...base, noRuleEngine: {message: 'm', hint: 'h'}}, {failOnFiring: false})).toBe(1)
  })

  it('is 1 when a required Alertmanager does not answer, 0 when an optional one does not', () => {
    expect(alertsExitCode({...base, alertmanager: am('unreachable', true)})).toBe(1)
    expect(alertsExitCode({...base, alertmanager: am('unreachable', false)})).toBe(0)
  })

  it('is 4 when Alertmanager refuses the credentials, over a firing alert, required or not', () => {
    expect(alertsExitCode({...base, alertmanager: am('auth', false)})).toBe(4)
    expect(alertsExitCode({...base, summary: {...base.summary, firing: 3}, alertmanager: am('auth', true)})).toBe(4)
  })
})
