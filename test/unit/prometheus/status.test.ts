/** runtimeinfo and flags through the client's envelope, on answers captured from Debian's Prometheus 2.42. */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import type {PrometheusClient} from '../../../src/lib/prometheus/client.js'
import {runtimeInfo, serverFlags} from '../../../src/lib/prometheus/status.js'

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/prometheus/${name}`, import.meta.url), 'utf8')) as {data: unknown}

function prom(answers: Record<string, unknown>, seen: unknown[] = []): PrometheusClient {
  return {
    baseUrl: 'http://127.0.0.2:9090',
    api: async (_method: string, path: string, options: unknown) => (seen.push(options), {data: answers[path], warnings: []}),
  } as unknown as PrometheusClient
}

describe('runtimeInfo / serverFlags', () => {
  it('a failed reload: reloadConfigSuccess false, the time of the config still in effect', async () => {
    const seen: unknown[] = []
    const signal = new AbortController().signal
    const info = await runtimeInfo(prom({'/api/v1/status/runtimeinfo': fixture('status-runtimeinfo-reload-failed.json').data}, seen), {signal, retries: 0})
    expect(info).toMatchObject({reloadConfigSuccess: false, lastConfigTime: '2026-11-30T18:56:00Z'})
    expect(seen).toEqual([{signal, retries: 0}])
  })
  it('the flags name the config file', async () => {
    expect((await serverFlags(prom({'/api/v1/status/flags': fixture('status-flags.json').data})))['config.file']).toBe('prom.yml')
  })
})
