import {describe, expect, it} from 'vitest'

import type {HttpResponse} from '../../../src/lib/clients/http/index.js'
import {parseConfigText} from '../../../src/lib/config/loader.js'
import {DEFAULT_CONFIG_YAML} from '../../../src/lib/config/default-config.js'
import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {authHint, buildProbes, grafanaHealth, lokiReady, ollamaTags, plainReady, tabbyHealth, alertmanagerReady, prometheusReady, qdrantReady} from '../../../src/lib/health/probes.js'

function res(status: number, body: string, contentType = 'text/plain'): HttpResponse {
  const buf = Buffer.from(body)
  return {status, statusText: '', headers: {'content-type': contentType}, body: buf, text: () => body, url: 'http://x', elapsedMs: 1}
}

describe('health evaluators speak the documented bodies (api-facts.md)', () => {
  it('Prometheus /-/ready', () => {
    expect(plainReady(res(200, 'Prometheus Server is Ready.\n'))).toEqual({ok: true, detail: 'Prometheus Server is Ready.'})
    expect(plainReady(res(503, 'Service Unavailable'))).toEqual({ok: false, detail: 'HTTP 503: Service Unavailable'})
  })
  it('Grafana /api/health', () => {
    expect(grafanaHealth(res(200, '{"commit":"087143285","database":"ok","version":"5.1.3"}'))).toEqual({ok: true, detail: 'Grafana 5.1.3, database ok'})
    expect(grafanaHealth(res(200, '{"database":"ok"}'))).toEqual({ok: true, detail: 'database ok'})
    expect(grafanaHealth(res(503, '{"database":"failing","version":"11.3.0"}'))).toEqual({ok: false, detail: 'HTTP 503: Grafana 11.3.0, database failing'})
    // Grafana's JSON error instead of the health document: its words
    expect(grafanaHealth(res(500, '{"message":"database is locked"}'))).toEqual({ok: false, detail: 'HTTP 500: database is locked'})
    expect(grafanaHealth(res(500, '{}'))).toEqual({ok: false, detail: 'HTTP 500: database unknown'})
    expect(grafanaHealth(res(200, '<html><title>login</title></html>')).detail).toMatch(/HTML page \("login"\), not Grafana's JSON health/)
    expect(grafanaHealth(res(200, '<html><title>login</title></html>')).cause).toBe('http_html')
  })
  it('Prometheus, Alertmanager and Qdrant readiness want their real answer: no login page, no empty 200', () => {
    expect(prometheusReady(res(200, 'Prometheus Server is Ready.\n'))).toEqual({ok: true, detail: 'Prometheus Server is Ready.'})
    expect(prometheusReady(res(200, 'VictoriaMetrics is Ready.\n')).ok).toBe(true)
    expect(prometheusReady(res(200, '<!DOCTYPE html><html><title>Sign in</title></html>', 'text/html'))).toMatchObject({ok: false, cause: 'http_html'})
    expect(prometheusReady(res(200, ''))).toMatchObject({ok: false, cause: 'empty_body'})
    expect(alertmanagerReady(res(200, 'OK'))).toEqual({ok: true, detail: 'OK'})
    expect(alertmanagerReady(res(200, '<html><body>login</body></html>'))).toMatchObject({ok: false, cause: 'http_html'})
    expect(qdrantReady(res(200, 'all shards are ready')).ok).toBe(true)
    expect(qdrantReady(res(503, 'some shards are not ready')).ok).toBe(false)
  })
  it('Loki /ready: an empty 200 says so (not "HTTP 200: OK")', () => {
    expect(lokiReady(res(200, ''))).toMatchObject({ok: false, cause: 'empty_body', detail: 'HTTP 200 with an empty body; Loki\'s /ready answers "ready"'})
  })
  it('Loki /ready', () => {
    expect(lokiReady(res(200, 'ready\n'))).toEqual({ok: true, detail: 'ready'})
    // start-up, word for word from real Loki 3.4.2 and 2.8.0 (/work/coord/evidence/loki/startup-*/ready-timeline.txt)
    expect(lokiReady(res(503, 'Some services are not Running: Starting: 9 Running: 7'))).toEqual({
      ok: false,
      cause: 'starting',
      detail: 'Loki is starting (Some services are not Running: Starting: 9 Running: 7)',
      evidence: 'HTTP 503: Some services are not Running: Starting: 9 Running: 7',
    })
    expect(lokiReady(res(503, 'Ingester not ready: waiting for 15s after being ready\n'))).toEqual({
      ok: false,
      cause: 'starting',
      detail: 'Loki is starting (Ingester not ready: waiting for 15s after being ready)',
      evidence: 'HTTP 503: Ingester not ready: waiting for 15s after being ready',
    })
    expect(lokiReady(res(503, 'Some services are not Running:\nStarting: 1\nRunning: 5')).detail).toBe('Loki is starting (Some services are not Running:; Starting: 1; Running: 5)')
    expect(lokiReady(res(503, 'Application is stopping'))).toMatchObject({ok: false, cause: 'stopping', detail: 'Loki is shutting down (Application is stopping)'})
    // any other 503 is what it says
    expect(lokiReady(res(503, 'upstream connect error'))).toEqual({ok: false, detail: 'HTTP 503: upstream connect error'})
  })
  it('TabbyAPI /health', () => {
    expect(tabbyHealth(res(200, '{"status":"healthy","issues":[]}'))).toEqual({ok: true, detail: 'healthy'})
    expect(tabbyHealth(res(503, '{"status":"unhealthy","issues":[{"time":"t","description":"model not loaded"}]}'))).toEqual({
      ok: false,
      detail: 'HTTP 503: unhealthy: model not loaded',
    })
  })
  it('Ollama /api/tags', () => {
    expect(ollamaTags(res(200, '{"models":[{"name":"llama3.2:latest"}]}'))).toEqual({ok: true, detail: '1 model: llama3.2:latest'})
    expect(ollamaTags(res(500, '{"error":"boom"}'))).toEqual({ok: false, detail: 'HTTP 500: boom'})
  })
})

describe('buildProbes', () => {
  it('uses the corrected endpoints of the runbook services', () => {
    const cfg = resolveConfig(parseConfigText(DEFAULT_CONFIG_YAML, 'default'))
    const paths = Object.fromEntries(buildProbes(cfg).map((p) => [p.id, `${p.endpoint.baseUrl}${p.path}`]))
    expect(paths).toEqual({
      prometheus: 'http://192.168.1.244:9090/-/ready',
      grafana: 'http://192.168.1.244:3003/api/health',
      loki: 'http://192.168.1.244:3100/ready',
      alertmanager: 'http://192.168.1.244:9093/-/ready',
      'hydra-storage/cadvisor': 'http://192.168.1.244:8080/healthz',
      tabbyapi: 'http://192.168.1.250:5000/health',
      ollama: 'http://192.168.1.250:11434/api/tags',
      litellm: 'http://192.168.1.244:4000/health/liveliness',
      qdrant: 'http://192.168.1.244:6333/readyz',
    })
    const probes = buildProbes(cfg)
    expect(probes.find((p) => p.id === 'alertmanager')!.required).toBe(false)
    expect(probes.find((p) => p.id === 'grafana')!.anonymous).toBe(true)
  })
})

describe('the hint for a 401/403 fits what the config has', () => {
  const probe = (anonymous: boolean, auth?: object) => ({id: 'grafana', kind: 'grafana', path: '/api/health', required: true, anonymous, endpoint: {baseUrl: 'http://g:3003', auth}}) as any
  it("a refused credential names it; a 403 asks for rights", () => {
    expect(authHint(probe(false, {tokenEnv: 'HYDRA_GRAFANA_TOKEN'}), 401)).toMatch(/refused hydra's credential \(\$HYDRA_GRAFANA_TOKEN\)/)
    expect(authHint(probe(false, {tokenFile: '/etc/hydra/t'}), 403)).toMatch(/knows hydra's credential \(file \/etc\/hydra\/t\).*Viewer/)
  })
  it('no credential in the config: a proxy asks for one; add it or go past the proxy', () => {
    expect(authHint(probe(false), 401)).toMatch(/the config gives no credential for it: a proxy.*services\.grafana\.auth/)
  })
  it("Grafana's /api/health needs no login: with a token configured, the token is not the cure, the proxy is", () => {
    const hint = authHint(probe(true, {tokenEnv: 'HYDRA_GRAFANA_TOKEN'}), 401)
    expect(hint).toMatch(/answered 401 on \/api\/health, which grafana itself answers without a login.*point services\.grafana\.url past the proxy/)
    expect(hint).not.toMatch(/gives no credential|HYDRA_GRAFANA_TOKEN/)
    expect(authHint(probe(true), 401)).toMatch(/gives no credential for it \(its health endpoint needs none\)/)
  })
})
