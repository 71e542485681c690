/**
 * Start-up cost of hydra, as a ratio to a bare `node -e 0` on the same machine and moment:
 *   npx tsx bench/startup.ts [runs]
 * Also checks that neither `hydra --version` nor `hydra targets --help` loads ssh2, listr2 or
 * undici (the heavy modules are imported only on the paths that use them). Needs a build first.
 * Runs nothing on the network.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const runs = Number(process.argv[2] ?? 15)
const env = {...process.env, HYDRA_CONFIG: undefined, NO_COLOR: '1'}

function time(args: string[]): number[] {
  const samples: number[] = []
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, {cwd: repo, env, stdio: 'ignore'})
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
    if (i >= 2) samples.push(ms) // two warm-up runs: file cache
  }
  return samples.sort((a, b) => a - b)
}
const median = (s: number[]) => s[Math.floor(s.length / 2)]!

function heavyModules(args: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'hydra-trace-')), 'modules.txt')
  spawnSync(process.execPath, ['--require', join(repo, 'bench/trace-modules.cjs'), ...args], {cwd: repo, env: {...env, HYDRA_TRACE_MODULES: file}, stdio: 'ignore'})
  const loaded = readFileSync(file, 'utf8')
  return ['ssh2', 'listr2', 'undici'].filter((m) => new RegExp(`node_modules/${m}/`).test(loaded))
}

const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['hydra --version', ['bin/run.js', '--version']],
  ['hydra targets --help', ['bin/run.js', 'targets', '--help']],
]
const base = median(time(cases[0]![1]))
console.log(`start-up, median of ${runs} runs (2 warm-up runs dropped)`)
console.log(`${'command'.padEnd(24)} ${'median'.padStart(9)}  ${'ratio'.padStart(6)}  heavy modules loaded`)
let failed = false
for (const [name, args] of cases) {
  const m = name === 'node -e 0' ? base : median(time(args))
  const heavy = name === 'node -e 0' ? [] : heavyModules(args)
  if (heavy.length) failed = true
  console.log(`${name.padEnd(24)} ${m.toFixed(1).padStart(7)}ms  ${(m / base).toFixed(2).padStart(5)}×  ${heavy.length ? heavy.join(', ') : 'none'}`)
}
console.log('target: hydra --version within 2.6× node -e 0; no ssh2, listr2 or undici on these paths')
if (failed) process.exitCode = 1
