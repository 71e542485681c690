/**
 * What the checks of one doctor run share, each fetched at most once: the Prometheus client and
 * its targets, one SSH session per node, each node's exporter state and firewall read, and each
 * exporter's /metrics fetch. Checks that need the same fact ask for the same promise, so the
 * diagnosis chain and the catalogue never do the same network work twice.
 */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../config/resolve.js'
import {SshPool, SshSession} from '../clients/ssh.js'
import {sshTargetForNode} from '../ssh/target.js'
import {PrometheusClient} from '../prometheus/client.js'
import {scrapeTargets, type TargetsReport} from '../prometheus/targets.js'
import {instantVector} from '../prometheus/query.js'
import {exporterStatus, type ExporterStatusRow, type FetchResult} from '../exporters/status.js'
import {fetchExporterMetrics} from '../exporters/fetch.js'
import {checkFirewall, type NodeFirewall} from '../firewall/check.js'

/** Never let an SSH connect outlive the run's deadline (its timer would keep the process alive). */
const MIN_CONNECT_MS = 200

/**
 * The shared SSH pool, with every node's connect timeout capped by the time left before the
 * deadline. The node libraries (exporter status, firewall, docker) take it as an ordinary SshPool.
 */
export class DeadlineSshPool extends SshPool {
  private readonly own = new Map<string, SshSession>()

  constructor(
    private readonly clusterConfig: HydraConfig,
    private readonly deadlineAt: number,
  ) {
    super(clusterConfig)
  }

  override session(node: ResolvedNode): SshSession {
    let s = this.own.get(node.name)
    if (!s) {
      const target = sshTargetForNode(this.clusterConfig, node)
      const left = Math.max(MIN_CONNECT_MS, this.deadlineAt - Date.now())
      s = new SshSession({...target, connectTimeoutMs: Math.min(target.connectTimeoutMs, left), commandTimeoutMs: Math.min(target.commandTimeoutMs, left)})
      this.own.set(node.name, s)
    }
    return s
  }

  override async closeAll(): Promise<void> {
    await Promise.all([...this.own.values()].map((s) => s.close()))
    this.own.clear()
    await super.closeAll()
  }
}

function memo<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let p = cache.get(key)
  if (!p) {
    p = make()
    // a rejection is observed by whoever awaits it; do not let an unawaited copy crash the run
    p.catch(() => undefined)
    cache.set(key, p)
  }
  return p
}

export class DoctorResources {
  readonly pool: DeadlineSshPool
  private prom?: PrometheusClient
  private targetsPromise?: Promise<TargetsReport>
  private readonly exporterRows = new Map<string, Promise<ExporterStatusRow[]>>()
  private readonly firewalls = new Map<string, Promise<NodeFirewall>>()
  private readonly fetches = new Map<string, Promise<FetchResult>>()
  private readonly connects = new Map<string, Promise<unknown>>()
  private readonly vectors = new Map<string, Promise<Awaited<ReturnType<typeof instantVector>>>>()

  constructor(
    readonly cfg: HydraConfig,
    /** the run's deadline signal: shared work is cancelled with the run, not with one check */
    readonly runSignal: AbortSignal,
    readonly deadlineAt: number,
  ) {
    this.pool = new DeadlineSshPool(cfg, deadlineAt)
  }

  prometheus(): PrometheusClient {
    this.prom ??= new PrometheusClient(this.cfg.prometheus)
    return this.prom
  }

  /** Prometheus's active targets, mapped to the config's nodes. */
  targets(): Promise<TargetsReport> {
    this.targetsPromise ??= scrapeTargets(this.prometheus(), this.cfg, {}, {signal: this.runSignal, retries: 0})
    this.targetsPromise.catch(() => undefined)
    return this.targetsPromise
  }

  /**
   * One instant query for every node at once (the headroom checks: disk, memory), asked once per
   * run however many nodes ask for it; each check picks its own target's sample.
   */
  vector(query: string): ReturnType<typeof instantVector> {
    return memo(this.vectors, query, () => instantVector(this.prometheus(), query, {signal: this.runSignal}))
  }

  /** Open (once) the node's SSH connection; rejects with the SshError of the connect. */
  sshConnect(node: ResolvedNode): Promise<unknown> {
    return memo(this.connects, node.name, () => this.pool.session(node).connect())
  }

  /** GET the exporter's metrics path from hydra (runbook: Target Down, step 3). */
  fetch(e: ResolvedExporter): Promise<FetchResult> {
    return memo(this.fetches, e.id, () => fetchExporterMetrics(e, Math.min(this.cfg.timeoutMs, Math.max(MIN_CONNECT_MS, this.deadlineAt - Date.now()))))
  }

  /** Every exporter of the node: unit/container/process state and whether its port listens (one SSH session). */
  async exporterRow(node: ResolvedNode, e: ResolvedExporter): Promise<ExporterStatusRow | undefined> {
    const rows = await memo(this.exporterRows, node.name, async () =>
      (await exporterStatus(this.cfg, {nodes: [node.name], pool: this.pool, fetchMetrics: (x) => this.fetch(x)})).rows,
    )
    return rows.find((r) => r.id === e.id)
  }

  /** The node's firewall read once, judged for every exporter port. */
  firewall(node: ResolvedNode): Promise<NodeFirewall> {
    return memo(this.firewalls, node.name, async () => {
      const report = await checkFirewall(this.cfg, {nodes: [node.name], pool: this.pool})
      return report.nodes[0] ?? {node: node.name, rulesRead: [], verdicts: []}
    })
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.closeAll(), this.prom?.close()])
  }
}
