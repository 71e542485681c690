/**
 * Start-up cost of hydra, as a ratio to a bare `node -e 0` on the same machine and moment:
 *   npx tsx bench/startup.ts [runs]
 * Paired: each round runs every case once, one after the other, and a case's ratio is the median of
 * its per-round ratios to that round's `node -e 0` — so a load spike hits both sides of a ratio.
 * Side by side, the lever of issue 9 item 6: oclif from the one-file bundle the build writes
 * (dist/vendor/oclif-core.cjs, what bin/run.js loads) against oclif from node_modules (about 120
 * files to resolve and compile, what bin/run.js loaded before), and loading the bundle alone
 * with a plain require (no code cache: src/code-cache.ts, which bin/run.js uses, goes below it). Also checks that neither `hydra --version` nor `hydra targets --help` loads ssh2, listr2,
 * undici or a second copy of @oclif/core. Needs a build first. Runs nothing on the network.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const runs = Number(process.argv[2] ?? 21)
const env = {...process.env, HYDRA_CONFIG: undefined, NO_COLOR: '1'}

// bin/run.js as it was before the bundle: oclif imported from node_modules (written beside bin/ so
// that it resolves the same packages; removed at the end)
const unbundled = join(repo, 'bin', '.run-unbundled.mjs')
writeFileSync(unbundled, `const {execute} = await import('@oclif/core')\nawait execute({dir: ${JSON.stringify(pathToFileURL(join(repo, 'bin/run.js')).href)}})\nprocess.exit()\n`)
process.on('exit', () => rmSync(unbundled, {force: true}))

const cases: {name: string; args: string[]; target?: number; checkHeavy?: boolean}[] = [
  {name: 'node -e 0', args: ['-e', '0']},
  {name: 'hydra --version', args: ['bin/run.js', '--version'], target: 2.0, checkHeavy: true},
  {name: 'hydra targets --help', args: ['bin/run.js', 'targets', '--help'], target: 2.2, checkHeavy: true},
  {name: '  oclif from node_modules', args: [unbundled, 'targets', '--help']},
  {name: '  the bundle alone, no cache', args: ['-e', `require(${JSON.stringify(join(repo, 'dist/vendor/oclif-core.cjs'))})`]},
]

const times: number[][] = cases.map(() => [])
for (let round = 0; round < runs + 2; round++) {
  for (const [i, c] of cases.entries()) {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, c.args, {cwd: repo, env, stdio: 'ignore'})
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (r.status !== 0) throw new Error(`${c.args.join(' ')} exited ${r.status}`)
    if (round >= 2) times[i]!.push(ms) // two warm-up rounds: file cache
  }
}
const median = (s: number[]) => [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)]!

function heavyModules(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'hydra-trace-'))
  const file = join(dir, 'modules.txt')
  spawnSync(process.execPath, ['--require', join(repo, 'bench/trace-modules.cjs'), ...args], {cwd: repo, env: {...env, HYDRA_TRACE_MODULES: file}, stdio: 'ignore'})
  const loaded = readFileSync(file, 'utf8')
  rmSync(dir, {recursive: true, force: true})
  return ['ssh2', 'listr2', 'undici', '@oclif/core'].filter((m) => new RegExp(`node_modules/${m}/`).test(loaded))
}

console.log(`start-up, paired: median of ${runs} rounds (2 warm-up rounds dropped); ratio = median of per-round ratios to node -e 0`)
console.log(`${'command'.padEnd(28)} ${'median'.padStart(9)}  ${'ratio'.padStart(6)}  ${'target'.padStart(6)}  modules that should not load`)
let failed = false
for (const [i, c] of cases.entries()) {
  const ratio = median(times[i]!.map((t, r) => t / times[0]![r]!))
  const heavy = c.checkHeavy ? heavyModules(c.args) : []
  if (heavy.length) failed = true
  const target = c.target ? `≤${c.target.toFixed(1)}×` : ''
  console.log(`${c.name.padEnd(28)} ${median(times[i]!).toFixed(1).padStart(7)}ms  ${ratio.toFixed(2).padStart(5)}×  ${target.padStart(6)}  ${c.checkHeavy ? (heavy.length ? heavy.join(', ') : 'none') : ''}`)
}
if (failed) process.exitCode = 1
