/**
 * `hydra logs` and `hydra loki labels` against the lab's Loki stand-in (Loki has no Debian package;
 * the stand-in speaks its documented API: nanosecond string timestamps, plain-text errors, tenancy).
 * Lines with known nanosecond timestamps are pushed through Loki's own push API first, so the test
 * knows exactly what order and what times hydra must show.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {LabControl} from '../lab/control.js'
import {runHydra, STACK_LINE} from '../helpers/run-hydra.js'
import {formatLocalTime} from '../../src/lib/output/time.js'

const {configPath, controlUrl} = inject('lab')
const lab = new LabControl(controlUrl)
const LOKI = 'http://127.0.0.2:3100'
const TENANT = (parse(readFileSync(configPath, 'utf8')) as any).services.loki.tenant as string
const tmp = mkdtempSync(join(tmpdir(), 'hydra-loki-it-'))
const hydra = (args: string[], config = configPath) => runHydra([...args, '--config', config])

// a container of our own, two streams (stdout, stderr) whose lines interleave, to the nanosecond
const container = `itest-${process.pid}`
const base = BigInt(Date.now() - 120_000) * 1_000_000n
const pushed = [
  {stream: 'stdout', ns: base + 1n, line: 'first, 1ns after base'},
  {stream: 'stderr', ns: base + 2n, line: 'second, 1ns later, other stream'},
  {stream: 'stdout', ns: base + 999_999n, line: 'third, still within the same millisecond'},
  {stream: 'stderr', ns: base + 1_000_000_007n, line: 'fourth, a second later'},
]

/** The local time hydra must show for a nanosecond timestamp: all nine fraction digits. */
function expectedTime(ns: bigint): string {
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0')
  return formatLocalTime(new Date(Number(ns / 1_000_000n))).replace(/\.\d{3} /, `.${fraction} `)
}

beforeAll(async () => {
  await lab.reset()
  const streams = ['stdout', 'stderr'].map((s) => ({
    stream: {container_name: container, host: 'hydra-ai', stream: s},
    values: pushed.filter((p) => p.stream === s).map((p) => [p.ns.toString(), p.line]),
  }))
  const res = await fetch(`${LOKI}/loki/api/v1/push`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Scope-OrgID': TENANT},
    body: JSON.stringify({streams}),
    signal: AbortSignal.timeout(5000),
  })
  expect(res.status).toBe(204)
})

afterAll(() => {
  rmSync(tmp, {recursive: true, force: true})
})

describe('hydra logs', () => {
  it('merges the streams in nanosecond order, backward by default, with exact timestamps', async () => {
    const r = await hydra(['logs', `{container_name="${container}"}`, '--since', '10m', '--json'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc).toMatchObject({resultType: 'streams', streams: 2, direction: 'backward', commonLabels: {container_name: container, host: 'hydra-ai'}})
    const newestFirst = [...pushed].reverse()
    expect(doc.entries.map((e: any) => [e.ns, e.labels.stream, e.line])).toEqual(newestFirst.map((p) => [p.ns.toString(), p.stream, p.line]))
    expect(doc.entries.map((e: any) => e.time)).toEqual(newestFirst.map((p) => expectedTime(p.ns)))
  })

  it('forward: oldest first, one line each, the differing label shown, local time to the nanosecond', async () => {
    const r = await hydra(['logs', `{container_name="${container}"}`, '--since', '10m', '--direction', 'forward'])
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toEqual(pushed.map((p) => `${expectedTime(p.ns)} {stream="${p.stream}"} ${p.line}`))
    expect(r.stderr).toMatch(/4 lines from 2 stream\(s\), all \{container_name="itest-\d+", host="hydra-ai"\}/)
  })

  it('--limit keeps the newest lines across streams', async () => {
    const r = await hydra(['logs', `{container_name="${container}"}`, '--since', '10m', '--limit', '2', '--json'])
    expect(r.code).toBe(0)
    expect(r.json().entries.map((e: any) => e.line)).toEqual([pushed[3]!.line, pushed[2]!.line])
    expect(r.json().limited).toBe(true)
  })

  it("--preset errors finds the error lines of the seeded containers by Loki 3's detected_level", async () => {
    const r = await hydra(['logs', '--preset', 'errors', '--json'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.query).toBe('{container_name=~".+"} | detected_level="error"')
    expect(doc.entries.map((e: any) => e.labels.container_name).sort()).toEqual(['loki', 'tabbyapi'])
    expect(doc.entries.map((e: any) => e.line).join('\n')).toMatch(/CUDA out of memory[\s\S]*failed to flush chunks|failed to flush chunks[\s\S]*CUDA out of memory/)
  })

  it('--preset inference selects TabbyAPI\'s completion requests by container_name', async () => {
    const r = await hydra(['logs', '--preset', 'inference', '--json'])
    expect(r.code).toBe(0)
    expect(r.json().entries.map((e: any) => e.line)).toEqual([
      'INFO:     127.0.0.1:51236 - "POST /v1/chat/completions HTTP/1.1" 200',
      'INFO:     127.0.0.1:51234 - "POST /v1/completions HTTP/1.1" 200',
    ])
  })

  it("the runbook's own query is valid but finds nothing (no job label from the Docker driver)", async () => {
    const r = await hydra(['logs', '{job="docker"} |= "error" | level="error"'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^no log lines for/)
  })

  it('without a tenant: the 401 "no org id" is explained with the config key, exit 4', async () => {
    const doc = parse(readFileSync(configPath, 'utf8')) as any
    delete doc.services.loki.tenant
    const noTenant = join(tmp, 'no-tenant.yaml')
    writeFileSync(noTenant, stringify(doc))
    const r = await hydra(['logs', '{container_name="tabbyapi"}'], noTenant)
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/answered 401 "no org id": it runs multi-tenant \(auth_enabled: true\) and hydra sent no X-Scope-OrgID header/)
    expect(r.stderr).toMatch(/Hint: set services\.loki\.tenant in the hydra config/)
    expect(r.stderr).not.toMatch(STACK_LINE)
    const j = await hydra(['logs', '{container_name="tabbyapi"}', '--json'], noTenant)
    expect(j.code).toBe(4)
    expect(j.json().error).toMatchObject({code: 'loki_no_tenant', exitCode: 4})
  })

  it("a bad query and a too-large limit show Loki's plain-text 400 as it is, exit 2", async () => {
    const bad = await hydra(['logs', '{container_name="tabbyapi"'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^Error: Loki rejected the query: parse error at line 1, col 27: syntax error: unexpected \$end, expecting \} or ,\n/)
    const limit = await hydra(['logs', '{container_name="tabbyapi"}', '--limit', '6000'])
    expect(limit.code).toBe(2)
    expect(limit.stderr).toMatch(/max entries limit per query exceeded, limit > max_entries_limit_per_query \(6000 > 5000\)/)
  })

  it('a metric query comes back as series and values', async () => {
    const r = await hydra(['logs', `sum by (stream) (count_over_time({container_name="${container}"}[10m]))`, '--since', '5m', '--json'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.resultType).toBe('matrix')
    expect(doc.rows.map((x: any) => [x.labels.stream, x.value]).sort()).toEqual([
      ['stderr', 2],
      ['stdout', 2],
    ])
  })

  it('usage errors: no query, both a query and a preset', async () => {
    expect((await hydra(['logs'])).code).toBe(2)
    expect((await hydra(['logs', '{a="b"}', '--preset', 'errors'])).code).toBe(2)
  })
})

describe('hydra loki labels', () => {
  it('lists the label names, then the values of container_name', async () => {
    const names = await hydra(['loki', 'labels', '--json'])
    expect(names.code).toBe(0)
    expect(names.json().values).toEqual(expect.arrayContaining(['compose_project', 'container_name', 'host', 'stream']))
    expect(names.json().values).not.toContain('job')
    const values = await hydra(['loki', 'labels', 'container_name'])
    expect(values.code).toBe(0)
    expect(values.stdout.trim().split('\n')).toEqual([container, 'loki', 'tabbyapi'])
  })

  it('refuses a name that is no label name, exit 2', async () => {
    const r = await hydra(['loki', 'labels', 'not-a-label'])
    expect(r.code).toBe(2)
  })
})
