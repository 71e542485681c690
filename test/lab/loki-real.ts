/**
 * Real Grafana Loki in the lab (issue 11): the static binaries of ../shared/lab-bin (3.4.2 and
 * 2.8.0, built from the upstream tags; $HYDRA_LAB_LOKI_BIN names another directory), unpacked
 * into the lab's state dir and checked (sha256 of the lab-bin README, or `-version` for binaries
 * of your own), then run as ordinary lab processes:
 *
 *   loki-3.4.2        127.0.0.2:3110  single binary; behind the lab's `loki` front at :3100 (the config's services.loki)
 *   loki-2.8.0        127.0.0.2:3120  single binary
 *   loki-split-write  127.0.0.31:3100 ┐ one 3.4.2 binary as -target=write/read/backend, a shared
 *   loki-split-read   127.0.0.32:3100 ├ filesystem store, a memberlist ring on loopback, and
 *   loki-split-backend 127.0.0.33:3100┘ multi_tenant_queries_enabled: true
 *
 * Once each answers /ready 200 the lab pushes its lines the way the Docker loki driver labels them
 * (container_name, host, filename, compose_project, compose_service; some lines with levels, some
 * JSON, some neither), into tenant `hydra` and a little into tenant `other`.
 *
 * The `loki` front (127.0.0.2:3100) is the only thing left of the stand-in in the lab: it passes
 * every request (and the tail WebSocket) to the real 3.4.2 unchanged, and exists for the faults
 * real Loki cannot be made to produce on demand (a hang, a forced 503, a delay: `lab.fault('loki', …)`).
 */
import {createHash} from 'node:crypto'
import {createReadStream, createWriteStream, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {request, type IncomingMessage, type Server} from 'node:http'
import {connect, type Socket} from 'node:net'
import {join, resolve} from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {fileURLToPath} from 'node:url'
import {createGunzip} from 'node:zlib'
import {spawnSync} from 'node:child_process'

import {answers200, LabProcess} from './process.js'
import {pushSeed} from './loki-seed.js'
import {send, Standin, TEXT, type RequestContext} from './standins/standin.js'

export const LOKI_VERSIONS = ['3.4.2', '2.8.0'] as const
export type LokiVersion = (typeof LOKI_VERSIONS)[number]

/** sha256 of the uncompressed binaries, from ../shared/lab-bin/README.md */
export const LOKI_SHA256: Record<LokiVersion, string> = {
  '3.4.2': '48f8412810af4ea63f27bb12a76003aa0daf4b2b4128c902081e45bfec3fba33',
  '2.8.0': 'f4b8b8cdd516f3ea160a278d89ab0b2073719e80362d9aca3e3da4fa062241a5',
}

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const DEFAULT_LOKI_BIN_DIR = resolve(REPO_ROOT, '..', 'shared', 'lab-bin')

/** the single-binary Lokis */
export const REAL_LOKI: Record<LokiVersion, {host: string; port: number; grpcPort: number; url: string}> = {
  '3.4.2': {host: '127.0.0.2', port: 3110, grpcPort: 9110, url: 'http://127.0.0.2:3110'},
  '2.8.0': {host: '127.0.0.2', port: 3120, grpcPort: 9120, url: 'http://127.0.0.2:3120'},
}

export const SPLIT_TARGETS = ['write', 'read', 'backend'] as const
export type SplitTarget = (typeof SPLIT_TARGETS)[number]
export const SPLIT_LOKI: Record<SplitTarget, {host: string; url: string}> = {
  write: {host: '127.0.0.31', url: 'http://127.0.0.31:3100'},
  read: {host: '127.0.0.32', url: 'http://127.0.0.32:3100'},
  backend: {host: '127.0.0.33', url: 'http://127.0.0.33:3100'},
}

// the seed lines (one source for real Loki and the stand-in): loki-seed.ts
export {LAB_ERROR_LINES, LAB_LOKI_STREAMS, LOKI_OTHER_TENANT, LOKI_TENANT, pushSeed, type SeedStream} from './loki-seed.js'

export const LOKI_HOW_TO_GET =
  'The lab runs real Loki 3.4.2 and 2.8.0. It looks for loki-3.4.2-linux-amd64.gz and loki-2.8.0-linux-amd64.gz ' +
  `(or the same names unpacked) in ${DEFAULT_LOKI_BIN_DIR}, or in the directory $HYDRA_LAB_LOKI_BIN names. ` +
  'On a machine without shared/: download loki-linux-amd64.zip of the v3.4.2 and v2.8.0 releases from ' +
  'https://github.com/grafana/loki/releases, unzip each as loki-<version>-linux-amd64 into one directory, and set ' +
  'HYDRA_LAB_LOKI_BIN to it (or build them: ../shared/lab-bin/build-loki.sh; see README "Test lab").'

// --- the binaries -----------------------------------------------------------------------------

/**
 * Unpack (or copy) one version's binary into `dir` and check it: from the default lab-bin directory
 * its sha256 must be the README's; a binary from $HYDRA_LAB_LOKI_BIN may be an upstream release
 * (another sha256), so there `-version` must name the version. Throws with how to get one.
 */
export async function prepareLokiBinary(version: LokiVersion, dir: string, env = process.env): Promise<string> {
  const srcDir = env.HYDRA_LAB_LOKI_BIN ? resolve(env.HYDRA_LAB_LOKI_BIN) : DEFAULT_LOKI_BIN_DIR
  const name = `loki-${version}-linux-amd64`
  const gz = join(srcDir, `${name}.gz`)
  const plain = join(srcDir, name)
  const source = existsSync(gz) ? gz : existsSync(plain) ? plain : undefined
  if (!source) throw new Error(`no Loki ${version} binary: neither ${gz} nor ${plain} exists. ${LOKI_HOW_TO_GET}`)
  mkdirSync(dir, {recursive: true})
  const out = join(dir, name)
  const hash = createHash('sha256')
  const tee = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk)
      cb(null, chunk)
    },
  })
  try {
    if (source === gz) await pipeline(createReadStream(gz), createGunzip(), tee, createWriteStream(out, {mode: 0o755}))
    else await pipeline(createReadStream(plain), tee, createWriteStream(out, {mode: 0o755}))
  } catch (err) {
    throw new Error(`cannot unpack ${source}: ${err instanceof Error ? err.message : String(err)}. ${LOKI_HOW_TO_GET}`)
  }
  const sha = hash.digest('hex')
  if (sha !== LOKI_SHA256[version]) {
    const v = spawnSync(out, ['-version'], {encoding: 'utf8', timeout: 10_000})
    const own = env.HYDRA_LAB_LOKI_BIN !== undefined
    if (!own || !new RegExp(`version ${version.replaceAll('.', '\\.')}\\b`).test(v.stdout ?? '')) {
      throw new Error(
        `${source} is not the lab's Loki ${version}: sha256 ${sha}, expected ${LOKI_SHA256[version]}` +
          (own ? ` (and \`-version\` says ${JSON.stringify((v.stdout ?? v.error?.message ?? '').split('\n')[0])})` : '') +
          `. ${LOKI_HOW_TO_GET}`,
      )
    }
  }
  return out
}

// --- configs ----------------------------------------------------------------------------------

const SCHEMA: Record<LokiVersion, string> = {
  '3.4.2': '{from: 2024-01-01, store: tsdb, object_store: filesystem, schema: v13, index: {prefix: index_, period: 24h}}',
  '2.8.0': '{from: 2020-10-24, store: boltdb-shipper, object_store: filesystem, schema: v12, index: {prefix: index_, period: 24h}}',
}

export interface SingleLokiConfig {
  version: LokiVersion
  host: string
  port: number
  grpcPort: number
  dataDir: string
  /** ingester min_ready_duration; Loki's default 15s, the lab's shared Lokis use 1s to start fast */
  minReady?: string
  multiTenantQueries?: boolean
}

/** The lab-bin README's minimal config, on our addresses (JSON strings are valid YAML scalars). */
export function singleLokiYaml(c: SingleLokiConfig): string {
  const q = JSON.stringify
  return `# written by the hydra test lab (test/lab/loki-real.ts): Loki ${c.version}, single binary
auth_enabled: true
server: {http_listen_address: ${c.host}, http_listen_port: ${c.port}, grpc_listen_address: ${c.host}, grpc_listen_port: ${c.grpcPort}, log_level: warn}
common:
  instance_addr: ${c.host}
  path_prefix: ${q(c.dataDir)}
  replication_factor: 1
  storage: {filesystem: {chunks_directory: ${q(join(c.dataDir, 'chunks'))}, rules_directory: ${q(join(c.dataDir, 'rules'))}}}
  ring: {instance_addr: ${c.host}, kvstore: {store: inmemory}}
${c.minReady ? `ingester: {lifecycler: {min_ready_duration: ${c.minReady}}}\n` : ''}${c.multiTenantQueries ? 'querier: {multi_tenant_queries_enabled: true}\n' : ''}analytics: {reporting_enabled: false}
schema_config:
  configs:
    - ${SCHEMA[c.version]}
`
}

/** One 3.4.2 process of the simple-scalable layout: -target=write|read|backend, memberlist on loopback. */
export function splitLokiYaml(target: SplitTarget, storeDir: string, dataDir: string): string {
  const q = JSON.stringify
  const a = SPLIT_LOKI[target].host
  const members = SPLIT_TARGETS.map((t) => `${SPLIT_LOKI[t].host}:7946`).join(', ')
  return `# written by the hydra test lab (test/lab/loki-real.ts): Loki 3.4.2 simple-scalable, -target=${target}
target: ${target}
auth_enabled: true
server: {http_listen_address: ${a}, http_listen_port: 3100, grpc_listen_address: ${a}, grpc_listen_port: 9095, log_level: warn}
common:
  instance_addr: ${a}
  path_prefix: ${q(dataDir)}
  replication_factor: 1
  compactor_address: ${SPLIT_LOKI.backend.url}
  storage: {filesystem: {chunks_directory: ${q(join(storeDir, 'chunks'))}, rules_directory: ${q(join(storeDir, 'rules'))}}}
  ring: {instance_addr: ${a}, kvstore: {store: memberlist}}
memberlist: {bind_addr: [${a}], bind_port: 7946, advertise_addr: ${a}, advertise_port: 7946, join_members: [${members}]}
frontend: {scheduler_address: ${SPLIT_LOKI.backend.host}:9095}
frontend_worker: {scheduler_address: ${SPLIT_LOKI.backend.host}:9095}
ingester: {lifecycler: {min_ready_duration: 1s}}
querier: {multi_tenant_queries_enabled: true}
analytics: {reporting_enabled: false}
schema_config:
  configs:
    - ${SCHEMA['3.4.2']}
`
}

// --- processes --------------------------------------------------------------------------------

export interface RealLokiSet {
  processes: LabProcess[]
  front: LokiFront
}

/**
 * Unpack both binaries and describe the five Loki processes plus the `loki` front. Each process is
 * ready once /ready answers 200 and the lab's lines are pushed (once per state dir).
 */
export async function prepareRealLoki(options: {stateDir: string; logsDir: string; frontHost: string; frontPort: number}): Promise<RealLokiSet> {
  const binDir = join(options.stateDir, 'loki', 'bin')
  const [bin342, bin280] = await Promise.all(LOKI_VERSIONS.map((v) => prepareLokiBinary(v, binDir)))
  const bins: Record<LokiVersion, string> = {'3.4.2': bin342!, '2.8.0': bin280!}
  const nowNs = BigInt(Date.now()) * 1_000_000n
  const processes: LabProcess[] = []
  const seededOnce = (url: string, pushUrl = url) => {
    let seeded = false
    return async () => {
      if (!(await answers200(`${url}/ready`))) return false
      if (!seeded) {
        await pushSeed(pushUrl, nowNs)
        seeded = true
      }
      return true
    }
  }
  for (const version of LOKI_VERSIONS) {
    const r = REAL_LOKI[version]
    const dir = join(options.stateDir, 'loki', version)
    mkdirSync(dir, {recursive: true})
    const configFile = join(dir, 'loki.yaml')
    writeFileSync(configFile, singleLokiYaml({version, host: r.host, port: r.port, grpcPort: r.grpcPort, dataDir: join(dir, 'data'), minReady: '1s'}))
    processes.push(
      new LabProcess({
        name: `loki-${version}`,
        what: `loki ${version} (../shared/lab-bin, single binary)`,
        node: 'hydra-storage',
        address: r.host,
        port: r.port,
        command: bins[version],
        args: [`-config.file=${configFile}`],
        logFile: join(options.logsDir, `loki-${version}.log`),
        ready: seededOnce(r.url),
      }),
    )
  }
  const splitDir = join(options.stateDir, 'loki', 'split')
  const storeDir = join(splitDir, 'store')
  mkdirSync(storeDir, {recursive: true})
  // all three must be up before the seed goes through the write path and shows on the read path
  const splitUp = async () => (await Promise.all(SPLIT_TARGETS.map((t) => answers200(`${SPLIT_LOKI[t].url}/ready`)))).every(Boolean)
  const seedSplit = seededOnce(SPLIT_LOKI.read.url, SPLIT_LOKI.write.url)
  for (const target of SPLIT_TARGETS) {
    const configFile = join(splitDir, `${target}.yaml`)
    writeFileSync(configFile, splitLokiYaml(target, storeDir, join(splitDir, target)))
    processes.push(
      new LabProcess({
        name: `loki-split-${target}`,
        what: `loki 3.4.2 -target=${target} (simple-scalable, memberlist on loopback)`,
        node: 'hydra-storage',
        address: SPLIT_LOKI[target].host,
        port: 3100,
        command: bins['3.4.2'],
        args: [`-config.file=${configFile}`],
        logFile: join(options.logsDir, `loki-split-${target}.log`),
        ready: target === 'write' ? async () => (await splitUp()) && (await seedSplit()) : () => answers200(`${SPLIT_LOKI[target].url}/ready`),
      }),
    )
  }
  const front = new LokiFront({host: options.frontHost, port: options.frontPort, upstream: REAL_LOKI['3.4.2']})
  return {processes, front}
}

// --- the fault front --------------------------------------------------------------------------

/**
 * The lab's `loki` component: a transparent pass-through to the real Loki 3.4.2 (requests, answers
 * and the tail WebSocket byte for byte), with the faults every stand-in takes. Its own routes are
 * none: everything reaches real Loki unless a fault says otherwise.
 */
export class LokiFront extends Standin {
  readonly what: string

  constructor(private readonly options: {host: string; port: number; upstream: {host: string; port: number}}) {
    super({name: 'loki', node: 'hydra-storage', host: options.host, port: options.port})
    this.what = `Grafana Loki 3.4.2 (real, ${options.upstream.host}:${options.upstream.port}, behind the lab's fault front)`
  }

  protected override notFound(ctx: RequestContext): void {
    this.forward(ctx)
  }

  private forward({req, res}: RequestContext): void {
    const up = request(
      {host: this.options.upstream.host, port: this.options.upstream.port, method: req.method, path: req.url, headers: req.headers},
      (upRes: IncomingMessage) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.rawHeaders)
        upRes.pipe(res)
      },
    )
    up.on('error', (err) => {
      if (!res.headersSent) send(res, 502, `lab loki front: real Loki at ${this.options.upstream.host}:${this.options.upstream.port} did not answer: ${err.message}\n`, TEXT)
      else res.destroy()
    })
    req.pipe(up)
  }

  /** WebSocket upgrades (the tail endpoint): a raw TCP pipe to real Loki. */
  protected override attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const up = connect({host: this.options.upstream.host, port: this.options.upstream.port}, () => {
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
        up.write(`${lines.join('\r\n')}\r\n\r\n`)
        if (head.length > 0) up.write(head)
        up.pipe(socket)
        socket.pipe(up)
      })
      const close = () => {
        up.destroy()
        socket.destroy()
      }
      up.on('error', close)
      socket.on('error', close)
      up.on('close', close)
      socket.on('close', close)
    })
  }
}
