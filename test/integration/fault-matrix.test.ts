/**
 * The fault matrix (issue 10): for each HTTP service — Prometheus and Alertmanager (the REAL
 * servers), Grafana, Loki and one app (Qdrant) — and each fault an operator meets (refused, connect
 * timeout, response hang, slow, 500, 503, an HTML login page, a truncated body, an empty 200, 401,
 * 403), what `hydra health` names as the cause, its exit code, and an upper bound on the time.
 *
 * Every service is reached through the lab's fault-injecting proxy (test/lab/fault-proxy.ts) in
 * front of the lab's server, so the faults hit real servers too. One hydra run per fault probes all
 * five services at once (they do not interfere: each has its own proxy), and the runs go a few at a
 * time, so the whole matrix costs a handful of CLI runs. Set HYDRA_FAULT_MATRIX_OUT=<file> to write
 * the table as Markdown.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {loadConfig} from '../../src/lib/config/loader.js'
import {variantConfig} from '../helpers/config-variant.js'
import {runHydra, STACK_LINE} from '../helpers/run-hydra.js'
import {FAULT_KINDS, FaultProxy, type ProxyFaultKind} from '../lab/fault-proxy.js'

const {configPath} = inject('lab')
const scratch = mkdtempSync(join(tmpdir(), 'hydra-fault-matrix-'))

/** where the proxies listen: an address of the lab's namespace no lab node uses */
const PROXY_HOST = '127.0.0.9'
const TIMEOUT_MS = 3000
const SLOW_MS = 800

type ServiceId = 'prometheus' | 'alertmanager' | 'grafana' | 'loki' | 'qdrant'
const SERVICES: ServiceId[] = ['prometheus', 'alertmanager', 'grafana', 'loki', 'qdrant']

interface Expectation {
  /** the cause hydra health names (`ok` for a healthy answer) */
  cause: RegExp
  exit: number
}

/** What each fault must produce, for every service alike: one contract. */
const EXPECT: Record<ProxyFaultKind, Expectation> = {
  refuse: {cause: /^refused$/, exit: 1},
  blackhole: {cause: /^connect_timeout$/, exit: 1},
  hang: {cause: /^response_timeout$/, exit: 1},
  slow: {cause: /^ok$/, exit: 0},
  // it answered, and said no: its logs are the next step
  status500: {cause: /^unhealthy$/, exit: 1},
  status503: {cause: /^unhealthy$/, exit: 1},
  html200: {cause: /^http_html$/, exit: 1},
  truncated: {cause: /^truncated$/, exit: 1},
  // Grafana's and Loki's evaluators want their exact answer (unhealthy); the text endpoints say "empty"
  empty200: {cause: /^empty_body$|^unhealthy$/, exit: 1},
  status401: {cause: /^auth$/, exit: 4},
  status403: {cause: /^auth$/, exit: 4},
}

interface Cell {
  service: ServiceId
  fault: ProxyFaultKind
  cause: string
  status: string
  latencyMs: number
  exit: number
  detail: string
}

const proxies: FaultProxy[] = []
let upstream: Record<ServiceId, string>

beforeAll(async () => {
  const lab = loadConfig({flag: configPath}).config
  const qdrant = lab.apps.find((a) => a.id === 'qdrant')
  if (!lab.alertmanager || !lab.grafana || !lab.loki || !qdrant) throw new Error('the lab config lacks a service of the fault matrix')
  upstream = {
    prometheus: lab.prometheus.baseUrl,
    alertmanager: lab.alertmanager.baseUrl,
    grafana: lab.grafana.baseUrl,
    loki: lab.loki.baseUrl,
    qdrant: qdrant.baseUrl,
  }
}, 60_000)

afterAll(async () => {
  await Promise.allSettled(proxies.map((p) => p.stop()))
  rmSync(scratch, {recursive: true, force: true})
})

/** Five proxies with `fault`, and a config whose five services go through them. */
async function setUp(fault: ProxyFaultKind, index: number): Promise<string> {
  const urls = {} as Record<ServiceId, string>
  for (const [i, service] of SERVICES.entries()) {
    const p = new FaultProxy({host: PROXY_HOST, port: 21000 + index * 10 + i, upstream: upstream[service], name: `${service}-${fault}`, fault: fault === 'slow' ? {kind: 'slow', delayMs: SLOW_MS} : fault})
    proxies.push(p)
    await p.start()
    urls[service] = p.url
  }
  return variantConfig(configPath, scratch, `matrix-${fault}`, (doc) => {
    doc.defaults.timeout = `${TIMEOUT_MS}ms`
    for (const s of ['prometheus', 'alertmanager', 'grafana', 'loki'] as const) {
      delete doc.services[s].node
      delete doc.services[s].port
      doc.services[s].url = urls[s]
    }
    doc.services.alertmanager.required = true
    delete doc.apps.qdrant.node
    delete doc.apps.qdrant.port
    doc.apps.qdrant.url = urls.qdrant
  })
}

async function runFault(fault: ProxyFaultKind, index: number): Promise<Cell[]> {
  const config = await setUp(fault, index)
  const only = SERVICES.flatMap((s) => ['--only', s])
  const r = await runHydra(['health', '--config', config, '--json', ...only], {timeoutMs: 90_000})
  expect(r.stdout + r.stderr, fault).not.toMatch(STACK_LINE)
  const doc = r.json<{results: {id: string; status: string; cause?: string; latencyMs: number; detail: string}[]}>()
  return SERVICES.map((service) => {
    const res = doc.results.find((x) => x.id === service)
    if (!res) throw new Error(`hydra health did not report ${service} under ${fault}`)
    return {service, fault, cause: res.status === 'ok' ? 'ok' : (res.cause ?? '?'), status: res.status, latencyMs: res.latencyMs, exit: r.code, detail: res.detail}
  })
}

function markdown(cells: Cell[]): string {
  const header = `| fault | ${SERVICES.join(' | ')} | exit | bound |\n|---|${SERVICES.map(() => '---').join('|')}|---|---|\n`
  const rows = FAULT_KINDS.map((fault) => {
    const row = cells.filter((c) => c.fault === fault)
    const cell = (s: ServiceId) => {
      const c = row.find((x) => x.service === s)!
      return `${c.cause} (${c.latencyMs} ms)`
    }
    return `| ${fault} | ${SERVICES.map(cell).join(' | ')} | ${row[0]?.exit} | ≤ ${TIMEOUT_MS + 2000} ms |`
  })
  return `${header}${rows.join('\n')}\n`
}

describe('fault matrix: hydra health against every service × every fault', () => {
  it('names one cause per fault, the exit code of the contract, within the timeout', async () => {
    const cells: Cell[] = []
    // three runs at a time: the faults of one run do not reach another's proxies
    const queue = FAULT_KINDS.map((f, i) => [f, i] as const)
    await Promise.all(
      Array.from({length: 3}, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) cells.push(...(await runFault(next[0], next[1])))
      }),
    )
    const table = markdown(cells)
    process.stdout.write(`\n${table}\n`)
    if (process.env.HYDRA_FAULT_MATRIX_OUT) writeFileSync(process.env.HYDRA_FAULT_MATRIX_OUT, table)

    const wrong: string[] = []
    for (const c of cells) {
      const want = EXPECT[c.fault]
      if (!want.cause.test(c.cause)) wrong.push(`${c.service} × ${c.fault}: cause ${c.cause} (${c.detail}), expected ${want.cause}`)
      if (c.exit !== want.exit) wrong.push(`${c.service} × ${c.fault}: exit ${c.exit}, expected ${want.exit}`)
      // each probe ends within its timeout (plus 2 s of scheduling slack: the machine's cores are shared)
      if (c.latencyMs > TIMEOUT_MS + 2000) wrong.push(`${c.service} × ${c.fault}: ${c.latencyMs} ms, over ${TIMEOUT_MS + 2000} ms`)
    }
    expect(wrong).toEqual([])
  }, 300_000)
})
