/**
 * Benchmark: `hydra doctor` against the runbook's commands run one after another (curl and ssh as
 * the runbook writes them, with the corrected endpoints), on the lab with 50 ms added to every TCP
 * connection by a delaying proxy per service address (this kernel has no netem); then doctor's
 * wall time with one node blackholed (iptables DROP) against its deadline.
 *
 *   eval "$(bash scripts/lab-dockerd.sh start /tmp/hydra-bench-docker)"   # outside the namespace
 *   bash scripts/netns.sh env HYDRA_LAB_DOCKER_HOST=$HYDRA_LAB_DOCKER_HOST npx tsx bench/doctor.ts [--runs 3] [--nodes 30]
 *   bash scripts/lab-dockerd.sh stop /tmp/hydra-bench-docker
 *
 * Targets: doctor ≥ 10× faster than one-after-another; blackholed, within deadline + 1 s; doctor on
 * --nodes N (default 30: the lab's N-node mode, sshd + node exporter per extra 127.0.2.x node) within
 * 2× its time on the lab's 3 nodes.
 * Each proxy listens on 127.0.1.N in front of the lab's 127.0.0.N, so the config hydra and the
 * script use names only proxied addresses. Refuses to run outside a loopback-only namespace.
 *
 * A timing counts only if the run did the work: every doctor run here must find every node
 * reachable and its node checks passing (a run whose SSH handshakes all timed out is fast and
 * wrong; under load that is what a 30-node run did). Beside each wall time the bench prints the
 * CPU it cost: hydra's own (the doctor process) and the lab nodes' (every sshd session and the
 * commands it ran). In the lab all N "nodes" share this machine's cores with hydra, so their CPU
 * grows with N here, where on a real cluster each node spends its own.
 *
 * Both sides run on the same lab nodes: the runbook's `systemctl status` and hydra's `systemctl
 * show` go through the same systemctl shim (test/lab/systemctl.ts), one bash process per call
 * since 2026-12-01 (it was sh + curl + cat, ~50 ms of CPU a call, more than a real systemctl).
 * Nothing here pins or budgets CPU: on this 2-core machine the lab's N nodes, the servers and hydra
 * share both cores, and pinning the nodes to one core would slow both sides' node work alike
 * without measuring hydra any better.
 */
import {spawn, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'

import {parse, stringify} from 'yaml'

import {startLab} from '../test/lab/lab.js'
import {LAB_NODES, LAB_PORTS} from '../test/lab/lab-config.js'
import {BIN} from '../test/helpers/run-hydra.js'

const DELAY_MS = 50
const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3
const DEADLINE_S = 10
const nodesArg = process.argv.indexOf('--nodes')
/** the scale measurement: doctor on this many nodes (the lab's N-node mode) against the lab's 3 */
const NODES = nodesArg > 0 ? Number(process.argv[nodesArg + 1]) : 30
const BASE_NODES = Object.keys(LAB_NODES)

const proxied = (address: string) => address.replace(/^127\.0\.0\./, '127.0.1.')
const P = LAB_PORTS
const PORTS_BY_NODE: Record<keyof typeof LAB_NODES, number[]> = {
  'hydra-storage': [22, P.prometheus, P.alertmanager, P.grafana, P.loki, P.nodeExporter, P.cadvisor, P.qdrant, P.litellm],
  'hydra-compute': [22, P.nodeExporter, P.gpuExporter],
  'hydra-ai': [22, P.nodeExporter, P.gpuExporter, P.tabbyapi, P.ollama],
}

/** A TCP proxy that waits DELAY_MS before connecting each accepted connection upstream. */
function delayingProxy(listenHost: string, upstreamHost: string, port: number): Promise<Server> {
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    sockets.add(client)
    client.pause()
    const timer = setTimeout(() => {
      const upstream = connect({host: upstreamHost, port})
      sockets.add(upstream)
      upstream.on('connect', () => {
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
      const close = () => {
        client.destroy()
        upstream.destroy()
      }
      upstream.on('error', close)
      upstream.on('close', close)
      client.on('close', close)
    }, DELAY_MS)
    client.on('error', () => clearTimeout(timer))
  })
  server.on('close', () => sockets.forEach((s) => s.destroy()))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, listenHost, () => resolve(server))
  })
}

/** CPU seconds in /proc/<pid>/stat: the process's own (utime+stime) plus its reaped children's (cutime+cstime). */
function cpuSeconds(pid: number | 'self', own = true): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number)
    // fields 14-17 of proc(5), counted from the state field (3)
    return ((own ? f[11]! + f[12]! : 0) + f[13]! + f[14]!) / 100
  } catch {
    return 0
  }
}

/** The lab nodes' CPU so far: every sshd listener's reaped sessions (and what they ran). */
const nodesCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid, false), 0)

/** Why a doctor run's timing does not count (a node unreachable, a node check failing), or undefined. */
function invalidRun(stdout: string): string | undefined {
  const doc = JSON.parse(stdout) as {checks: {id: string; kind: string; status: string; cause?: string}[]}
  const nodeKinds = new Set(['ssh', 'exporter', 'firewall', 'fetch', 'target', 'disk', 'memory'])
  const bad = doc.checks.filter((c) => nodeKinds.has(c.kind) && c.status !== 'ok')
  return bad.length ? `${bad.length} node checks not ok: ${bad.slice(0, 4).map((c) => `${c.id} ${c.status}${c.cause ? ` ${c.cause}` : ''}`).join(', ')}${bad.length > 4 ? ', …' : ''}` : undefined
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{code: number | null; stdout: string; stderr: string; ms: number}> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe'], env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr, ms: performance.now() - t0}))
  })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main(): Promise<void> {
  // Scrapes every 5 s, not the lab's 1 s (there so tests see a target go down quickly): at 30 nodes
  // the 1 s scraping by Prometheus and VictoriaMetrics alone kept ~0.6 of this machine's 2 cores
  // busy between runs, taken from every timing below alike (doctor's and the runbook's)
  const lab = await startLab({extraNodes: Math.max(0, NODES - BASE_NODES.length), readyTimeoutMs: 120_000, scrapeInterval: '5s'})
  const servers: Server[] = []
  const sshdPids = Object.entries(lab.pids()).filter(([name]) => name.startsWith('sshd@')).map(([, pid]) => pid)
  const invalid: string[] = []
  /** doctor once: wall ms, hydra's CPU s, the lab nodes' CPU s; a run that is not valid is noted */
  const doctorRun = async (label: string, config: string) => {
    const [c0, n0] = [cpuSeconds('self', false), nodesCpu(sshdPids)]
    const r = await run(process.execPath, [BIN, 'doctor', '--config', config, '--json'])
    if (r.code === null || r.code > 1) throw new Error(`hydra doctor failed (${r.code}): ${r.stderr}`)
    const why = invalidRun(r.stdout)
    if (why) invalid.push(`${label}: ${why}`)
    const checks = (JSON.parse(r.stdout) as {summary: {total: number}}).summary.total
    return {ms: r.ms, checks, hydraCpu: cpuSeconds('self', false) - c0, nodesCpu: nodesCpu(sshdPids) - n0}
  }
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  try {
    for (const [node, address] of Object.entries(LAB_NODES) as [keyof typeof LAB_NODES, string][])
      for (const port of PORTS_BY_NODE[node]) servers.push(await delayingProxy(proxied(address), address, port))

    // the lab's config (its 3 runbook nodes) and known_hosts, moved onto the proxied addresses
    const doc = parse(readFileSync(lab.configPath, 'utf8'))
    for (const name of Object.keys(doc.nodes)) if (!BASE_NODES.includes(name)) delete doc.nodes[name]
    // a backup for doctor's backup check to find
    const backup = await run(process.execPath, [BIN, 'backup', 'dashboards', '--config', lab.configPath, '--json'])
    if (backup.code !== 0) throw new Error(`hydra backup dashboards failed: ${backup.stderr}`)
    for (const n of Object.values(doc.nodes) as {address: string}[]) n.address = proxied(n.address)
    const knownHosts = join(lab.stateDir, 'bench_known_hosts')
    writeFileSync(knownHosts, readFileSync(join(lab.stateDir, 'known_hosts'), 'utf8').replace(/^127\.0\.0\./gm, '127.0.1.'))
    doc.defaults.ssh.knownHosts = knownHosts
    const config = join(lab.stateDir, 'bench-hydra.yaml')
    writeFileSync(config, stringify(doc))
    const key = doc.defaults.ssh.identityFile as string

    const storage = proxied(LAB_NODES['hydra-storage'])
    const ai = proxied(LAB_NODES['hydra-ai'])
    const sshArgs = ['-i', key, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5']
    const curl = (url: string, ...extra: string[]) => ['curl', '-s', '-m', '5', ...extra, url]
    const ssh = (address: string, command: string) => ['ssh', ...sshArgs, `root@${address}`, command]
    const grafanaToken = readFileSync(join(lab.stateDir, 'secrets', 'grafana-token'), 'utf8').trim()
    const promQuery = (q: string) => curl(`http://${storage}:9090/api/v1/query`, '--data-urlencode', `query=${q}`)
    const exporters = (doc.nodes as Record<string, {address: string; exporters: Record<string, {port: number; unit?: string; container?: string; process?: string}>}>)
    // The same checks doctor makes, done the runbook's way: its Health Check Endpoints and
    // Troubleshooting commands as written, endpoints corrected (api-facts.md §9), one after another.
    const script: string[][] = [
      curl(`http://${storage}:9090/-/ready`),
      curl(`http://${storage}:9090/api/v1/targets`),
      curl(`http://${storage}:9090/api/v1/status/flags`),
      curl(`http://${storage}:9090/api/v1/status/runtimeinfo`),
      curl(`http://${storage}:9090/api/v1/rules`),
      curl(`http://${storage}:9090/api/v1/alerts`),
      curl(`http://${storage}:3003/api/health`),
      curl(`http://${storage}:3003/api/search?type=dash-db&limit=1`, '-H', `Authorization: Bearer ${grafanaToken}`),
      ['sh', '-c', `ls -t ${JSON.stringify(doc.backup.dashboards.dir)} | head -1`],
      curl(`http://${storage}:3100/ready`),
      curl(`http://${storage}:3100/loki/api/v1/query_range`, '-H', 'X-Scope-OrgID: hydra', '--get', '--data-urlencode', 'query={container_name="tabbyapi"}', '--data-urlencode', 'limit=1'),
      curl(`http://${storage}:9093/-/ready`),
      curl(`http://${storage}:6333/readyz`),
      curl(`http://${ai}:5000/health`),
      curl(`http://${ai}:11434/api/tags`),
      curl(`http://${storage}:4000/health/liveliness`),
      ...Object.values(exporters).flatMap((n) => [
        ssh(n.address, 'true'),
        ...Object.values(n.exporters).flatMap((e) => [
          ssh(n.address, e.unit ? `systemctl status ${e.unit}` : e.container ? `docker inspect ${e.container}` : `pgrep -a ${e.process}`),
          ssh(n.address, `ss -ltn | grep :${e.port}`),
          ssh(n.address, `iptables -L -n | grep ${e.port}`),
          curl(`http://${n.address}:${e.port}/metrics`),
        ]),
        promQuery(`node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} * 100`),
        promQuery('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100'),
      ]),
      curl(`http://${storage}:8080/healthz`),
      ssh(ai, 'docker inspect tabbyapi'),
    ]

    const sequential: number[] = []
    const doctor: number[] = []
    let checks = 0
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now()
      for (const [cmd, ...args] of script) await run(cmd!, args)
      sequential.push(performance.now() - t0)
      const r = await doctorRun('doctor (proxied, 3 nodes)', config)
      checks = r.checks
      doctor.push(r.ms)
    }
    const seqMs = median(sequential)
    const docMs = median(doctor)
    const ratio = seqMs / docMs
    console.log(`runbook commands one after another (${script.length} commands, +${DELAY_MS}ms per connection): ${seqMs.toFixed(0)} ms (median of ${RUNS})`)
    console.log(`hydra doctor (${checks} checks, same delay):                                 ${docMs.toFixed(0)} ms (median of ${RUNS})`)
    console.log(`ratio: doctor is ${ratio.toFixed(1)}× faster (target ≥ 10×) ${ratio >= 10 ? 'PASS' : 'FAIL'} (load average ${load()})`)

    // scale: the same lab, doctor on all N nodes (sshd + node exporter each) against its 3 runbook nodes
    if (NODES > BASE_NODES.length) {
      const all = parse(readFileSync(lab.configPath, 'utf8'))
      all.backup.dashboards.dir = doc.backup.dashboards.dir
      all.logs.lokiDriverExpected = doc.logs.lokiDriverExpected
      const three = parse(stringify(all))
      for (const name of Object.keys(three.nodes)) if (!BASE_NODES.includes(name)) delete three.nodes[name]
      const configN = join(lab.stateDir, `bench-${NODES}-nodes.yaml`)
      const config3 = join(lab.stateDir, 'bench-3-nodes.yaml')
      writeFileSync(configN, stringify(all))
      writeFileSync(config3, stringify(three))
      const runsN: Awaited<ReturnType<typeof doctorRun>>[] = []
      const runs3: Awaited<ReturnType<typeof doctorRun>>[] = []
      for (let i = 0; i < RUNS; i++) {
        runs3.push(await doctorRun(`doctor on ${BASE_NODES.length} nodes`, config3))
        runsN.push(await doctorRun(`doctor on ${NODES} nodes`, configN))
      }
      const show = (rs: typeof runs3) =>
        `${median(rs.map((r) => r.ms)).toFixed(0)} ms (${rs[0]!.checks} checks; CPU: hydra ${median(rs.map((r) => r.hydraCpu)).toFixed(2)} s, lab nodes ${median(rs.map((r) => r.nodesCpu)).toFixed(2)} s)`
      const scale = median(runsN.map((r) => r.ms)) / median(runs3.map((r) => r.ms))
      console.log(`hydra doctor on ${BASE_NODES.length} nodes: ${show(runs3)}; on ${NODES} nodes: ${show(runsN)} (medians of ${RUNS})`)
      console.log(`scale: ${NODES} nodes take ${scale.toFixed(2)}× the ${BASE_NODES.length}-node time (target ≤ 2×) ${scale <= 2 ? 'PASS' : 'FAIL'} (load average ${load()})`)
      // Not a change of the target, two readings beside it. Every lab node runs on this machine's
      // cores, so the N-node run cannot take less wall time than all its CPU (hydra's and the
      // nodes') spread over every core: that floor, as a ratio to the 3-node time. And hydra's own
      // CPU at N nodes against at 3, the part of the work that would stay on this machine on a real
      // cluster, where each node runs its own commands.
      const cpu = (rs: typeof runs3, k: 'hydraCpu' | 'nodesCpu') => median(rs.map((r) => r[k]))
      const floor = ((cpu(runsN, 'hydraCpu') + cpu(runsN, 'nodesCpu')) * 1000) / availableParallelism() / median(runs3.map((r) => r.ms))
      console.log(
        `  floor on this machine: (hydra ${cpu(runsN, 'hydraCpu').toFixed(2)} + lab nodes ${cpu(runsN, 'nodesCpu').toFixed(2)} CPU-s) / ${availableParallelism()} cores = ${floor.toFixed(2)}× the ${BASE_NODES.length}-node time; ` +
          `hydra's own CPU: ${(cpu(runsN, 'hydraCpu') / cpu(runs3, 'hydraCpu')).toFixed(2)}× at ${NODES} nodes`,
      )
    }

    if (invalid.length) {
      console.log(`INVALID: ${invalid.length} doctor run(s) did not find a healthy lab, so their timings measure failures, not the work:`)
      for (const line of invalid) console.log(`  ${line}`)
      process.exitCode = 1
    }

    // one node blackholed: every packet to it (and to its proxy) dropped
    const drops = [['INPUT', '-d', LAB_NODES['hydra-ai'], '-j', 'DROP'], ['INPUT', '-d', ai, '-j', 'DROP']]
    for (const rule of drops) spawnSync('iptables', ['-w', '5', '-I', ...rule], {stdio: 'inherit'})
    try {
      const results: {label: string; deadlineS: number; ms: number; cause?: string}[] = []
      for (const [label, deadlineS, extra] of [
        ['default timeouts', DEADLINE_S, []],
        ['node timeout (20s) beyond the deadline', 5, ['--timeout', '20s']],
      ] as const) {
        const r = await run(process.execPath, [BIN, 'doctor', '--config', config, '--json', '--deadline', `${deadlineS}s`, ...extra])
        const doc = JSON.parse(r.stdout) as {checks: {id: string; cause?: string}[]}
        results.push({label, deadlineS, ms: r.ms, cause: doc.checks.find((c) => c.id === 'ssh:hydra-ai')?.cause})
      }
      for (const r of results) {
        const ok = r.ms <= r.deadlineS * 1000 + 1000
        console.log(`blackholed hydra-ai, ${r.label}: ${r.ms.toFixed(0)} ms against a ${r.deadlineS}s deadline (target ≤ deadline + 1s) ${ok ? 'PASS' : 'FAIL'}; ssh:hydra-ai cause ${r.cause}`)
      }
    } finally {
      for (const rule of drops) spawnSync('iptables', ['-w', '5', '-D', ...rule])
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
    await lab.stop()
  }
}

await main()
