/** config:prometheus on runtimeinfo and flags captured from Debian's Prometheus 2.42 (a failed reload made for real). */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {configReloadCheck} from '../../../../../src/lib/doctor/catalogue/prometheus/config.js'
import type {CheckContext} from '../../../../../src/lib/doctor/model.js'
import {OperationError} from '../../../../../src/lib/errors.js'
import type {PrometheusClient} from '../../../../../src/lib/prometheus/client.js'
import {labConfig} from '../../../../helpers/lab-config.js'

const fixture = (name: string) => (JSON.parse(readFileSync(new URL(`../../../../fixtures/prometheus/${name}`, import.meta.url), 'utf8')) as {data: unknown}).data

function ctxWith(answers: Record<string, unknown | Error>): CheckContext {
  const prom = {
    baseUrl: 'http://127.0.0.2:9090',
    api: async (_method: string, path: string) => {
      const answer = answers[path]
      if (answer instanceof Error) throw answer
      return {data: answer, warnings: []}
    },
  } as unknown as PrometheusClient
  return {cfg: labConfig(), signal: new AbortController().signal, resources: {prometheus: () => prom} as unknown as CheckContext['resources'], outcomeOf: () => undefined}
}

const failed = {'/api/v1/status/runtimeinfo': fixture('status-runtimeinfo-reload-failed.json'), '/api/v1/status/flags': fixture('status-flags.json')}

describe('config:prometheus', () => {
  const check = configReloadCheck(labConfig())

  it('is a Prometheus check of kind config, after its health', () => {
    expect(check).toMatchObject({id: 'config:prometheus', kind: 'config', group: 'prometheus', service: 'prometheus', dependsOn: ['health:prometheus']})
  })

  it('ok when the last reload succeeded, saying when the config was loaded', async () => {
    const outcome = await check.run(ctxWith({'/api/v1/status/runtimeinfo': fixture('status-runtimeinfo.json')}))
    expect(outcome).toMatchObject({status: 'ok', detail: expect.stringContaining('config loaded') as string})
    expect(outcome.detail).toContain('(2026-11-24T00:38:36Z)')
  })

  it('a failed reload: the config in effect is the old one; evidence from runtimeinfo and the flag; promtool on the real file, then the reload', async () => {
    const outcome = await check.run(ctxWith(failed))
    expect(outcome).toMatchObject({status: 'fail', cause: 'config_reload_failed'})
    expect(outcome.detail).toMatch(/^Prometheus's last config reload failed: it still runs the config loaded .* \(2026-11-30T18:56:00Z\), not prom\.yml as it is on disk$/)
    expect(outcome.evidence).toEqual(['GET http://127.0.0.2:9090/api/v1/status/runtimeinfo: reloadConfigSuccess=false, lastConfigTime=2026-11-30T18:56:00Z', '--config.file=prom.yml'])
    // the captured server runs without --web.enable-lifecycle: reload by signal
    expect(outcome.hint).toBe('see why: promtool check config prom.yml (and the rule files it names); fix it, then reload: sudo systemctl reload prometheus (SIGHUP). Prometheus logs the cause as "Error reloading config"')
  })

  it('in a container, with the lifecycle API: promtool inside it, reload over HTTP', async () => {
    const inDocker = configReloadCheck(labConfig((doc) => (doc.services.prometheus.container = 'prometheus')))
    const flags = {...(fixture('status-flags.json') as Record<string, string>), 'web.enable-lifecycle': 'true'}
    const outcome = await inDocker.run(ctxWith({...failed, '/api/v1/status/flags': flags}))
    expect(outcome.hint).toContain('docker exec prometheus promtool check config prom.yml')
    expect(outcome.hint).toContain('reload: curl -X POST http://127.0.0.2:9090/-/reload')
  })

  it('a server that does not serve runtimeinfo (a proxy, VictoriaMetrics) is not a failure; any other error is', async () => {
    const notServed = new OperationError('prometheus_http', 'GET http://x/api/v1/status/runtimeinfo: HTTP 404 Not Found: 404 page not found')
    expect(await check.run(ctxWith({'/api/v1/status/runtimeinfo': notServed}))).toMatchObject({status: 'ok', detail: expect.stringContaining('does not report config reloads') as string})
    await expect(check.run(ctxWith({'/api/v1/status/runtimeinfo': new OperationError('prometheus_http', 'HTTP 500')}))).rejects.toThrow('HTTP 500')
  })
})
