/**
 * Issue 12: the same hydra commands against every Prometheus-compatible backend the lab runs
 * (test/lab/victoria.ts), one table of commands × backends:
 * - the lab's real Prometheus 2.42;
 * - VictoriaMetrics 1.79.5 behind -http.pathPrefix=/vm, scraping the lab's exporters, with vmalert
 *   evaluating the lab's rules behind -vmalert.proxyURL;
 * - a bare VictoriaMetrics: no vmalert, no scraping, no prefix.
 * Each cell asserts the exit code and what the output must (and must never) say: nothing may report
 * all clear about something the backend does not do. The measured table is written to
 * $HYDRA_VM_TABLE when set (the README's table comes from it).
 */
import {appendFileSync, writeFileSync} from 'node:fs'

import {describe, expect, inject, it} from 'vitest'

import {runHydra, STACK_LINE, type HydraRun} from '../helpers/run-hydra.js'

const {configPath, victoria} = inject('lab')

type Backend = 'prometheus' | 'victoriametrics' | 'victoriametrics-bare'
const CONFIGS: Record<Backend, string> = {prometheus: configPath, victoriametrics: victoria.configPath, 'victoriametrics-bare': victoria.bareConfigPath}

interface Expectation {
  code: number
  says?: RegExp
  /** an all-clear this backend must never print */
  never?: RegExp
}

const COMMANDS: {args: string[]; expect: Record<Backend, Expectation>}[] = [
  {
    args: ['health', '--only', 'prometheus'],
    expect: {
      prometheus: {code: 0, says: /prometheus/},
      victoriametrics: {code: 0, says: /VictoriaMetrics is Ready/},
      'victoriametrics-bare': {code: 0, says: /VictoriaMetrics is Ready/},
    },
  },
  {
    args: ['targets'],
    expect: {
      prometheus: {code: 0, says: /targets: \d+ up, 0 down/},
      victoriametrics: {code: 0, says: /targets: \d+ up, 0 down/},
      'victoriametrics-bare': {code: 1, says: /scrapes nothing \(started without -promscrape\.config\)[\s\S]*vmagent/, never: /no targets match/},
    },
  },
  {
    args: ['query', 'up'],
    expect: {
      prometheus: {code: 0, says: /127\.0\.0\.2:9100/},
      victoriametrics: {code: 0, says: /127\.0\.0\.2:9100/},
      'victoriametrics-bare': {code: 0, says: /no data[\s\S]*has no series at all: it has scraped nothing yet/},
    },
  },
  {
    args: ['query', 'up{'],
    expect: {
      prometheus: {code: 2, says: /bad PromQL/},
      victoriametrics: {code: 2, says: /bad PromQL: labelFilterExpr: unexpected token/},
      'victoriametrics-bare': {code: 2, says: /bad PromQL/},
    },
  },
  {
    args: ['tsdb', 'status'],
    expect: {
      prometheus: {code: 0, says: /head: \d+ series[\s\S]*retention: 15d or 10GiB/},
      victoriametrics: {code: 0, says: /VictoriaMetrics[\s\S]*series: \d+[\s\S]*retention: -retentionPeriod=15d/, never: /storage\.tsdb/},
      'victoriametrics-bare': {code: 0, says: /retention: -retentionPeriod=15d/, never: /storage\.tsdb/},
    },
  },
  {
    args: ['alerts', '--no-alertmanager'],
    expect: {
      prometheus: {code: 0, says: /1 alerting and 0 recording rules in 1 group/},
      victoriametrics: {code: 0, says: /VictoriaMetrics: no alert is firing or pending[\s\S]*1 alerting and 0 recording rules in 1 group/},
      'victoriametrics-bare': {code: 1, says: /no vmalert is attached[\s\S]*-vmalert\.proxyURL/, never: /no alert is firing|0 rules|0 group/},
    },
  },
  {
    args: ['cluster'],
    expect: {
      prometheus: {code: 0, says: /hydra-storage/},
      victoriametrics: {code: 0, says: /hydra-storage/},
      'victoriametrics-bare': {code: 1, says: /for its node exporter in VictoriaMetrics[\s\S]*scrapes nothing/, never: /Prometheus does not scrape/},
    },
  },
  {
    args: ['doctor', '--only', 'prometheus'],
    expect: {
      prometheus: {code: 0},
      victoriametrics: {code: 0, says: /all \d+ checks passed/, never: /storage\.tsdb/},
      'victoriametrics-bare': {code: 1, says: /scrapes nothing[\s\S]*no vmalert is attached/, never: /storage\.tsdb|0 rules in 0 groups|nothing firing/},
    },
  },
  {
    args: ['tsdb', 'snapshot'],
    expect: {
      prometheus: {code: 0, says: /snapshots\//},
      victoriametrics: {code: 0, says: /victoria\/data\/snapshots\//},
      'victoriametrics-bare': {code: 0, says: /bare-data\/snapshots\//},
    },
  },
  {
    args: ['tsdb', 'compact'],
    expect: {
      prometheus: {code: 0, says: /tombstones cleaned/},
      victoriametrics: {code: 0, says: /forced merge[\s\S]*no tombstones/, never: /tombstones cleaned/},
      'victoriametrics-bare': {code: 0, says: /forced merge/},
    },
  },
  {
    args: ['tsdb', 'delete-series', '--match', 'hydra_no_such_metric', '--start', '0'],
    expect: {
      prometheus: {code: 0, says: /0 series match/},
      victoriametrics: {code: 2, says: /deletes whole series, it cannot delete a time range/},
      'victoriametrics-bare': {code: 2, says: /cannot delete a time range/},
    },
  },
]

const BACKENDS = Object.keys(CONFIGS) as Backend[]
const table = process.env.HYDRA_VM_TABLE
if (table) writeFileSync(table, `| command | ${BACKENDS.join(' | ')} |\n|---|${BACKENDS.map(() => '---').join('|')}|\n`)

function firstLine(r: HydraRun): string {
  const out = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !/^[-─┌└│]+$/.test(l))
  return (out.find((l) => /scrapes nothing|no vmalert|bad PromQL|no alert|retention|series|snapshot|merge|tombstones|targets:|Error|ok /.test(l)) ?? out[0] ?? '').replace(/\|/g, '\\|').slice(0, 110)
}

describe('hydra against Prometheus, VictoriaMetrics + vmalert (path prefix) and a bare VictoriaMetrics', () => {
  // every command of a backend at once: one round per backend, not one per cell
  const runs = new Map<string, Promise<HydraRun>>()
  const run = (b: Backend, args: string[]) => {
    const key = `${b} ${args.join(' ')}`
    // the backends side by side, each backend's commands one after the other (2 cores, shared)
    if (!runs.has(key)) {
      let chain: Promise<unknown> = Promise.resolve()
      for (const c of COMMANDS) {
        const p = chain.then(() => runHydra([...c.args, '--config', CONFIGS[b], '--timeout', '10s'], {timeoutMs: 90_000}))
        chain = p.catch(() => undefined)
        runs.set(`${b} ${c.args.join(' ')}`, p)
      }
    }
    return runs.get(key)!
  }

  for (const c of COMMANDS) {
    it(`hydra ${c.args.join(' ')}`, async () => {
      const cells: string[] = []
      for (const b of BACKENDS) run(b, c.args)
      for (const b of BACKENDS) {
        const want = c.expect[b]
        const r = await run(b, c.args)
        const out = `${r.stdout}\n${r.stderr}`
        cells.push(`${r.code}: ${firstLine(r)}`)
        expect(out, `${b}: ${c.args.join(' ')}`).not.toMatch(STACK_LINE)
        expect(out, `${b}: ${c.args.join(' ')}`).not.toMatch(/bug in hydra|TypeError/)
        expect(r.code, `${b}: hydra ${c.args.join(' ')} exited ${r.code}:\n${out.slice(0, 1500)}`).toBe(want.code)
        if (want.says) expect(out, b).toMatch(want.says)
        if (want.never) expect(out, b).not.toMatch(want.never)
      }
      if (table) appendFileSync(table, `| \`hydra ${c.args.join(' ')}\` | ${cells.join(' | ')} |\n`)
    }, 240_000)
  }
})
