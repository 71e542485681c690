/**
 * Benchmark: `hydra exporter status` against 30 nodes versus one, over REAL sshd (one per address
 * 127.0.0.2 … 127.0.0.31) and a small metrics server per address. One SSH connection per node
 * and bounded concurrency across nodes should keep 30 nodes within 3× the time of one.
 *
 *   ip netns add hydra-bench && ip netns exec hydra-bench ip link set lo up
 *   ip netns exec hydra-bench npx tsx bench/ssh-nodes.ts [--runs 3]
 *
 * Refuses to run outside a loopback-only network namespace.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {stringify} from 'yaml'

import {assertIsolatedNetns} from '../test/lab/netns.js'
import {prepareLabSsh} from '../test/lab/ssh.js'
import {BIN} from '../test/helpers/run-hydra.js'

const NODES = 30
const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3

assertIsolatedNetns()
const stateDir = mkdtempSync(join(tmpdir(), 'hydra-bench-ssh-'))
const addresses = Array.from({length: NODES}, (_, i) => `127.0.0.${i + 2}`)
const names = addresses.map((_, i) => `node-${String(i + 1).padStart(2, '0')}`)

const ssh = prepareLabSsh({stateDir, nodes: names.map((name, i) => ({name, address: addresses[i]!, units: {}}))})
const servers: Server[] = []

function writeConfig(count: number): string {
  const nodes: Record<string, unknown> = {}
  for (let i = 0; i < count; i++)
    nodes[names[i]!] = {address: addresses[i], exporters: {node: {port: 9100, managedBy: 'process', process: 'node'}}}
  const file = join(stateDir, `hydra-${count}.yaml`)
  writeFileSync(
    file,
    stringify({
      cluster: 'bench',
      defaults: {timeout: '5s', concurrency: 32, ssh: {user: 'root', hostKeys: 'strict', knownHosts: ssh.knownHosts, identityFile: ssh.clientKey, agent: false, sshConfig: false}},
      nodes,
      services: {prometheus: {node: names[0], port: 9090}},
    }),
  )
  return file
}

/** Async, because the metrics servers live in this process and must keep answering while hydra runs. */
async function timeRun(config: string): Promise<number> {
  const t0 = performance.now()
  const r = await new Promise<{status: number | null; stdout: string; stderr: string}>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'exporter', 'status', '--config', config, '--json'], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({status, stdout, stderr})
    })
  })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`hydra exited ${r.status}: ${r.stderr || JSON.stringify(JSON.parse(r.stdout).rows?.filter((x: {ok: boolean}) => !x.ok).map((x: {id: string; problems: string[]}) => [x.id, x.problems]))}`)
  return ms
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

try {
  for (const address of addresses) {
    const server = createServer((_req, res) => {
      res.writeHead(200, {'content-type': 'text/plain; version=0.0.4'})
      res.end('# HELP bench_up 1\n# TYPE bench_up gauge\nbench_up 1\n')
    })
    await new Promise<void>((resolve) => server.listen(9100, address, resolve))
    servers.push(server)
  }
  for (const p of ssh.processes) p.spawn()
  await Promise.all(ssh.processes.map((p) => p.waitReady(30_000)))
  const one = writeConfig(1)
  const all = writeConfig(NODES)
  await timeRun(one) // warm-up: disk caches, first node start
  const sample = async (config: string) => {
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) times.push(await timeRun(config))
    return median(times)
  }
  const t1 = await sample(one)
  const tAll = await sample(all)
  const ratio = tAll / t1
  process.stdout.write(
    `hydra exporter status over SSH (median of ${RUNS}):\n  1 node:   ${t1.toFixed(0)} ms\n  ${NODES} nodes: ${tAll.toFixed(0)} ms\n  ratio:    ${ratio.toFixed(2)}× (target ≤ 3×) ${ratio <= 3 ? 'OK' : 'OVER TARGET'}\n`,
  )
  process.exitCode = ratio <= 3 ? 0 : 1
} finally {
  await Promise.allSettled(ssh.processes.map((p) => p.stop()))
  for (const s of servers) s.close()
  rmSync(stateDir, {recursive: true, force: true})
}
