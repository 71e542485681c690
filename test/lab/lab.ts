/**
 * The test lab (design.md §6), first part: a real Prometheus, Alertmanager and one node exporter
 * per lab node from Debian's packages, plus in-process stand-ins for the servers Debian does not
 * ship, all on 127.0.0.2-4 inside a loopback-only network namespace; a control API to stop
 * servers and inject faults; and the hydra config that points at all of it.
 *
 *   const lab = await startLab()          // refuses to start outside an isolated netns
 *   … HYDRA_CONFIG=lab.configPath hydra doctor …
 *   await lab.stop()
 */
import {randomBytes} from 'node:crypto'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {parse} from 'yaml'

import {resolveConfig, type HydraConfig} from '../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../src/lib/config/schema.js'
import {renderPrometheusYaml} from '../../src/lib/prometheus/scrape-config.js'
import {fetchActiveTargets, waitFor} from './control.js'
import {ControlError, startControlServer, type ControlServer, type LabController} from './control-server.js'
import {LAB_NODES, LAB_PORTS, labConfigPaths, labConfigYaml, labExtraNodes} from './lab-config.js'
import {assertIsolatedNetns} from './netns.js'
import {answers200, LabProcess, sleep, STOP_GRACE_MS} from './process.js'
import {CadvisorStandin} from './standins/cadvisor.js'
import {GpuExporterStandin, labGpus} from './standins/gpu-exporter.js'
import {GrafanaStandin} from './standins/grafana.js'
import {LitellmStandin} from './standins/litellm.js'
import {OllamaStandin} from './standins/ollama.js'
import {QdrantStandin} from './standins/qdrant.js'
import type {Standin} from './standins/standin.js'
import {TabbyApiStandin} from './standins/tabbyapi.js'
import type {ComponentStatus, Fault, LabStatus} from './types.js'
import {installLabFirewall, LAB_NIXOS_FIREWALL, removeLabFirewall} from './firewall.js'
import {labSshNodes, prepareLabSsh} from './ssh.js'
import {prepareRealLoki} from './loki-real.js'
import {prepareVictoria, type LabVictoria} from './victoria.js'

export {assertIsolatedNetns} from './netns.js'

export interface LabOptions {
  /** where the lab keeps config, data and logs; default: a new temp dir, removed by stop() */
  stateDir?: string
  /** Prometheus scrape and rule evaluation interval (default 1s, so target health changes quickly) */
  scrapeInterval?: string
  /** progress lines (default: none) */
  log?: (line: string) => void
  /** how long each server may take to come up (default 30s) */
  readyTimeoutMs?: number
  /** the N-node mode: this many extra nodes (sshd + node exporter each, 127.0.2.x), default 0 */
  extraNodes?: number
}

export interface Lab {
  stateDir: string
  /** a hydra config YAML written by the lab, pointing at the lab's addresses */
  configPath: string
  /** resolved */
  config: HydraConfig
  /** http://127.0.0.1:<port>: the lab's control API */
  controlUrl: string
  prometheusUrl: string
  /** the lab's VictoriaMetrics + vmalert and their hydra configs (victoria.ts) */
  victoria: LabVictoria
  /** running real processes by component name */
  pids(): Record<string, number>
  status(): LabStatus
  /** stops everything it started, by PID; idempotent */
  stop(): Promise<void>
}

export const RULES_FILE = fileURLToPath(new URL('./rules/hydra-alerts.yml', import.meta.url))

const ALERTMANAGER_YAML = `# alertmanager.yml written by the hydra test lab: every alert goes to a receiver that does nothing
route:
  receiver: 'null'
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: 'null'
`

// --- exit handlers: children are killed by PID when the lab's process dies --------------------

const liveLabs = new Set<LabImpl>()
let handlersInstalled = false

function onExit(): void {
  for (const lab of liveLabs) lab.killAllNow('SIGKILL')
  for (const lab of liveLabs) lab.removeStateDirNow()
}

function onSignal(signal: NodeJS.Signals): void {
  const labs = [...liveLabs]
  void Promise.race([Promise.allSettled(labs.map((l) => l.stop())), sleep(STOP_GRACE_MS + 1000)]).finally(() => {
    uninstallHandlers()
    // nobody else handles this signal: die of it, as the process would have without us
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  })
}

function installHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', onExit)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return
  handlersInstalled = false
  process.off('exit', onExit)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
}

// --- the lab ----------------------------------------------------------------------------------

class LabImpl implements Lab, LabController {
  readonly processes = new Map<string, LabProcess>()
  readonly standins = new Map<string, Standin>()
  controlUrl = ''
  victoria!: LabVictoria & {waitForTargetsUp(timeoutMs: number): Promise<void>}
  private control?: ControlServer
  private stopping?: Promise<void>

  constructor(
    readonly stateDir: string,
    private readonly createdStateDir: boolean,
    readonly configPath: string,
    readonly config: HydraConfig,
    private readonly readyTimeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

  get prometheusUrl(): string {
    return this.config.prometheus.baseUrl
  }

  get alertmanagerUrl(): string {
    return this.config.alertmanager!.baseUrl
  }

  pids(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [name, p] of this.processes) if (p.pid !== undefined) out[name] = p.pid
    return out
  }

  status(): LabStatus {
    const components: Record<string, ComponentStatus> = {}
    for (const [name, p] of this.processes) components[name] = p.status()
    for (const [name, s] of this.standins) components[name] = s.status()
    return {
      stateDir: this.stateDir,
      configPath: this.configPath,
      controlUrl: this.controlUrl,
      prometheusUrl: this.prometheusUrl,
      alertmanagerUrl: this.alertmanagerUrl,
      components,
    }
  }

  private names(): string {
    return [...this.processes.keys(), ...this.standins.keys()].join(', ')
  }

  private component(name: string): LabProcess | Standin {
    const c = this.processes.get(name) ?? this.standins.get(name)
    if (!c) throw new ControlError(404, `no lab component ${name} (known: ${this.names()})`)
    return c
  }

  private standin(name: string): Standin {
    const c = this.component(name)
    if (c instanceof LabProcess)
      throw new ControlError(409, `${name} is a real process: faults and state apply to stand-ins; stop or start it instead`)
    return c
  }

  componentStatus(name: string): ComponentStatus {
    return this.component(name).status()
  }

  async stopComponent(name: string): Promise<ComponentStatus> {
    const c = this.component(name)
    await c.stop()
    this.log(`lab: stopped ${name}`)
    return c.status()
  }

  async startComponent(name: string): Promise<ComponentStatus> {
    const c = this.component(name)
    if (c instanceof LabProcess) await c.start(this.readyTimeoutMs)
    else await c.start()
    this.log(`lab: started ${name}`)
    return c.status()
  }

  setFault(name: string, fault: Fault): ComponentStatus {
    const s = this.standin(name)
    s.setFault(fault)
    return s.status()
  }

  clearFault(name: string): ComponentStatus {
    const s = this.standin(name)
    s.clearFault()
    return s.status()
  }

  setState(name: string, patch: Record<string, unknown>): ComponentStatus {
    const s = this.standin(name)
    try {
      s.setState(patch)
    } catch (err) {
      throw new ControlError(400, err instanceof Error ? err.message : String(err))
    }
    return s.status()
  }

  async clearFaults(): Promise<LabStatus> {
    for (const s of this.standins.values()) s.clearFault()
    await Promise.all([...this.standins.values()].map((s) => s.start()))
    return this.status()
  }

  async reset(): Promise<LabStatus> {
    for (const s of this.standins.values()) {
      s.clearFault()
      s.resetState()
    }
    await Promise.all([
      ...[...this.standins.values()].map((s) => s.start()),
      ...[...this.processes.values()].map((p) => p.start(this.readyTimeoutMs)),
    ])
    await this.waitForAllTargetsUp(this.readyTimeoutMs)
    return this.status()
  }

  /** Every active target of the rendered prometheus.yml scraped and up. */
  async waitForAllTargetsUp(timeoutMs: number): Promise<void> {
    let last: string = 'no answer from Prometheus yet'
    try {
      await waitFor(
        async () => {
          const targets = await fetchActiveTargets(this.prometheusUrl)
          const notUp = targets.filter((t) => t.health !== 'up')
          last = notUp.map((t) => `${t.labels.job}/${t.labels.instance}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ')
          return targets.length > 0 && notUp.length === 0
        },
        timeoutMs,
        {intervalMs: 100, description: 'every Prometheus target to be up'},
      )
    } catch {
      throw new Error(`the lab's Prometheus targets did not all come up within ${Math.round(timeoutMs / 1000)}s: ${last}`)
    }
  }

  async startAll(): Promise<void> {
    installHandlers()
    liveLabs.add(this)
    const t0 = Date.now()
    await Promise.all([...this.processes.values()].map((p) => p.assertPortFree()))
    for (const p of this.processes.values()) p.spawn()
    await Promise.all([...this.standins.values()].map((s) => s.start()))
    this.control = await startControlServer(this)
    this.controlUrl = this.control.url
    await Promise.all(
      [...this.processes.values()].map(async (p) => {
        await p.waitReady(this.readyTimeoutMs)
        this.log(`lab: ${p.name} ready (pid ${p.pid}) after ${Date.now() - t0}ms`)
      }),
    )
    await this.waitForAllTargetsUp(Math.max(5000, this.readyTimeoutMs - (Date.now() - t0)))
    await this.victoria.waitForTargetsUp(Math.max(5000, this.readyTimeoutMs - (Date.now() - t0)))
    this.log(`lab: up after ${Date.now() - t0}ms; config ${this.configPath}; control ${this.controlUrl}`)
  }

  killAllNow(signal: NodeJS.Signals): void {
    for (const p of this.processes.values()) p.killNow(signal)
  }

  /** For the exit handler: remove the state dir if the lab created it. */
  removeStateDirNow(): void {
    if (!this.createdStateDir) return
    try {
      rmSync(this.stateDir, {recursive: true, force: true, maxRetries: 3})
    } catch {
      /* a child killed a moment ago may still hold it; it is only a temp dir */
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop()
    return this.stopping
  }

  private async doStop(): Promise<void> {
    await this.control?.close()
    await Promise.allSettled([...this.standins.values()].map((s) => s.stop()))
    await Promise.allSettled([...this.processes.values()].map((p) => p.stop()))
    try {
      removeLabFirewall()
    } catch {
      /* the namespace goes away with the run anyway */
    }
    liveLabs.delete(this)
    if (liveLabs.size === 0) uninstallHandlers()
    this.removeStateDirNow()
    this.log('lab: stopped')
  }
}

function secret(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`
}

function writeSecret(file: string, value: string): void {
  writeFileSync(file, `${value}\n`, {mode: 0o600})
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  assertIsolatedNetns()
  const log = options.log ?? (() => {})
  const scrapeInterval = options.scrapeInterval ?? '1s'
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000

  const createdStateDir = options.stateDir === undefined
  const stateDir = options.stateDir ? resolve(options.stateDir) : mkdtempSync(join(tmpdir(), 'hydra-lab-'))
  const dir = (...parts: string[]) => {
    const d = join(stateDir, ...parts)
    mkdirSync(d, {recursive: true})
    return d
  }
  const logs = dir('logs')
  dir('secrets')
  dir('backups', 'grafana')

  // the config hydra reads, and the lab itself: it must pass the real schema
  const paths = labConfigPaths(stateDir)
  const grafanaToken = secret('glsa_lab_')
  const litellmKey = secret('sk-lab-')
  writeSecret(paths.grafanaTokenFile, grafanaToken)
  writeSecret(paths.litellmKeyFile, litellmKey)
  const configPath = join(stateDir, 'hydra.yaml')
  const extraNodes = labExtraNodes(options.extraNodes ?? 0)
  writeFileSync(configPath, labConfigYaml(paths, {extraNodes: extraNodes.length}))
  const config = resolveConfig(ConfigSchema.parse(parse(readFileSync(configPath, 'utf8'))))

  const lab = new LabImpl(stateDir, createdStateDir, configPath, config, readyTimeoutMs, log)

  // real servers
  const prom = config.prometheus
  const promAddress = LAB_NODES['hydra-storage']
  dir('prometheus', 'data')
  // rule files are read from the state dir, so a scenario can swap in rendered rules and /-/reload
  copyFileSync(RULES_FILE, join(dir('prometheus', 'rules'), 'hydra-alerts.yml'))
  writeFileSync(
    paths.prometheusConfigPath,
    renderPrometheusYaml(config, {globalScrapeInterval: scrapeInterval, evaluationInterval: scrapeInterval, ruleFiles: [join(stateDir, 'prometheus', 'rules', '*.yml')]}),
  )
  lab.processes.set(
    'prometheus',
    new LabProcess({
      name: 'prometheus',
      what: 'prometheus (Debian package)',
      node: 'hydra-storage',
      address: promAddress,
      port: LAB_PORTS.prometheus,
      command: 'prometheus',
      args: [
        `--config.file=${paths.prometheusConfigPath}`,
        `--storage.tsdb.path=${join(stateDir, 'prometheus', 'data')}`,
        `--web.listen-address=${promAddress}:${LAB_PORTS.prometheus}`,
        '--web.enable-admin-api',
        '--web.enable-lifecycle',
        // a firing alert is re-sent on every evaluation, not once a minute: a send that lands while
        // Alertmanager is restarting (another scenario stops it) is retried within seconds
        '--rules.alert.resend-delay=2s',
        `--storage.tsdb.retention.time=${prom.retention.time ?? '15d'}`,
        `--storage.tsdb.retention.size=${prom.retention.size ?? '10GB'}`,
      ],
      logFile: join(logs, 'prometheus.log'),
      ready: () => answers200(`${prom.baseUrl}/-/ready`),
    }),
  )

  const amDir = dir('alertmanager')
  writeFileSync(join(amDir, 'alertmanager.yml'), ALERTMANAGER_YAML)
  lab.processes.set(
    'alertmanager',
    new LabProcess({
      name: 'alertmanager',
      what: 'prometheus-alertmanager (Debian package)',
      node: 'hydra-storage',
      address: promAddress,
      port: LAB_PORTS.alertmanager,
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${join(amDir, 'alertmanager.yml')}`,
        `--storage.path=${dir('alertmanager', 'data')}`,
        `--web.listen-address=${promAddress}:${LAB_PORTS.alertmanager}`,
        '--cluster.listen-address=',
      ],
      logFile: join(logs, 'alertmanager.log'),
      ready: () => answers200(`${config.alertmanager!.baseUrl}/-/ready`),
    }),
  )

  const exporterNodes: [string, string][] = [...Object.entries(LAB_NODES), ...extraNodes.map((n): [string, string] => [n.name, n.address])]
  for (const [node, address] of exporterNodes) {
    const name = `node-exporter@${node}`
    lab.processes.set(
      name,
      new LabProcess({
        name,
        what: 'prometheus-node-exporter (Debian package)',
        node,
        address,
        port: LAB_PORTS.nodeExporter,
        command: 'prometheus-node-exporter',
        args: [
          `--web.listen-address=${address}:${LAB_PORTS.nodeExporter}`,
          // only what hydra reads: quick scrapes, no noise from the host's hardware
          '--collector.disable-defaults',
          '--collector.cpu',
          '--collector.meminfo',
          '--collector.filesystem',
          '--collector.loadavg',
          '--collector.uname',
          '--collector.time',
          '--collector.textfile',
          `--collector.textfile.directory=${dir('textfile', node)}`,
        ],
        logFile: join(logs, `${name}.log`),
        ready: () => answers200(`http://${address}:${LAB_PORTS.nodeExporter}/metrics`),
      }),
    )
  }

  // real Loki 3.4.2 and 2.8.0 (single binary) and 3.4.2 split write/read/backend; the config's
  // services.loki is the `loki` front, a pass-through to 3.4.2 that takes faults (loki-real.ts)
  const realLoki = await prepareRealLoki({stateDir, logsDir: logs, frontHost: LAB_NODES['hydra-storage'], frontPort: LAB_PORTS.loki})
  for (const p of realLoki.processes) lab.processes.set(p.name, p)

  // stand-ins
  const s = LAB_NODES['hydra-storage']
  const standins: Standin[] = [
    new GrafanaStandin({
      host: s,
      port: LAB_PORTS.grafana,
      tokens: [grafanaToken],
      users: {admin: 'admin'},
      labServices: {prometheusUrl: prom.baseUrl, lokiUrl: config.loki!.baseUrl, lokiTenant: config.loki!.tenant},
    }),
    realLoki.front,
    new CadvisorStandin({host: s, port: LAB_PORTS.cadvisor}),
    new QdrantStandin({host: s, port: LAB_PORTS.qdrant}),
    new LitellmStandin({host: s, port: LAB_PORTS.litellm, masterKey: litellmKey}),
    new TabbyApiStandin({host: LAB_NODES['hydra-ai'], port: LAB_PORTS.tabbyapi}),
    new OllamaStandin({host: LAB_NODES['hydra-ai'], port: LAB_PORTS.ollama}),
    ...(['hydra-compute', 'hydra-ai'] as const).map(
      (node) =>
        new GpuExporterStandin({name: `gpu-exporter@${node}`, node, host: LAB_NODES[node], port: LAB_PORTS.gpuExporter, gpus: labGpus(node)}),
    ),
  ]
  for (const st of standins) lab.standins.set(st.name, st)

  // nodes over SSH (issue 5): an sshd per node with systemctl shims, NixOS-style iptables rules,
  // and the lab's dockerd (started outside the namespace by scripts/lab-dockerd.sh) for sessions
  const extraSsh = extraNodes.map((n) => ({...n, units: {'prometheus-node-exporter.service': `node-exporter@${n.name}`}}))
  const sshLab = prepareLabSsh({stateDir, nodes: [...labSshNodes(LAB_NODES), ...extraSsh], dockerHost: process.env.HYDRA_LAB_DOCKER_HOST})
  for (const p of sshLab.processes) lab.processes.set(p.name, p)
  installLabFirewall({...LAB_NIXOS_FIREWALL, nixosAddresses: [...LAB_NIXOS_FIREWALL.nixosAddresses, ...extraNodes.map((n) => n.address)]})

  // VictoriaMetrics + vmalert, and a bare VictoriaMetrics (issue 12): started with the rest
  const vm = prepareVictoria({stateDir, config, configText: readFileSync(configPath, 'utf8'), scrapeInterval, rulesGlob: join(RULES_FILE, '..', '*.yml'), logsDir: logs})
  for (const p of vm.processes) lab.processes.set(p.name, p)
  for (const st of vm.standins) lab.standins.set(st.name, st)
  lab.victoria = vm

  try {
    await lab.startAll()
    sshLab.writeSystemctlState(lab.controlUrl)
  } catch (err) {
    await lab.stop().catch(() => {})
    throw new Error(`the hydra test lab did not start: ${err instanceof Error ? err.message : String(err)}`, {cause: err})
  }
  return lab
}
