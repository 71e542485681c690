/**
 * The check model (design.md §4): one check is one question about the cluster with one answer,
 * and, when the answer is no, the one cause and the next thing to run. `hydra doctor` runs the
 * catalogue of them (catalogue/) under one deadline (runner.ts).
 */
import type {HydraConfig} from '../config/resolve.js'
import type {HealthProbe} from '../health/probes.js'
import type {DoctorResources} from './resources.js'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped'

/** What a check's run() concludes. */
export interface CheckOutcome {
  status: Exclude<CheckStatus, 'skipped'>
  /** one line: what was seen */
  detail: string
  /** a stable, machine-readable reason for warn/fail, e.g. unit_inactive, firewall_blocked, node_unreachable */
  cause?: string
  /** what the conclusion rests on: rule text, unit state, HTTP status and body, lastError */
  evidence?: string[]
  /** the next command to run or the change to make */
  hint?: string
  /** the labels of the alerts this failure is about, when the check knows them (e.g. the firing alerts): silence matching uses them (silenced.ts) */
  alertLabels?: Record<string, string>[]
}

/** An Alertmanager silence that mutes a failed check's alerts: who, why, until when. */
export interface SilenceRef {
  id: string
  createdBy: string
  comment: string
  endsAt: string
  /** its matchers, as `name="value"`, `name=~"re"`, … */
  matchers: string
}

/**
 * What a check is about, e.g. ssh, firewall, rules: `--only`/`--skip` accept it. Each family of
 * the catalogue lists the kinds its checks use (catalogue/index.ts collects them).
 */
export type CheckKind = string

export interface CheckContext {
  cfg: HydraConfig
  /** aborts at the check's own timeout or the run's deadline, whichever comes first */
  signal: AbortSignal
  /** shared, memoised access to Prometheus, SSH sessions, firewall reads, exporter fetches */
  resources: DoctorResources
  /** the outcome of a check this one depends on (already finished when run() starts) */
  outcomeOf(id: string): CheckResult | undefined
  /** whether this run makes that check (so a check may start shared work a later one will need) */
  inRun?(id: string): boolean
}

export interface Check {
  /** unique, `<kind>:<subject>`, e.g. exporter:hydra-compute/node, health:grafana */
  id: string
  kind: CheckKind
  /** what the check is grouped under: its node's name, or its service's */
  group: string
  node?: string
  service?: string
  title: string
  /**
   * ids of checks that must pass (ok or warn) first; when one fails or is skipped, this one is
   * skipped, naming the root failure (the runner follows these ids; it never reads messages)
   */
  dependsOn: string[]
  /**
   * The SSH check of the node this check's address belongs to: this check runs alongside it (it
   * does not wait for the handshake), but its result counts only once the node is known
   * reachable; it is stopped and skipped when the SSH check found the node unreachable (an SSH
   * login problem alone does not stop an HTTP check). This is how a blackholed node costs its
   * timeout once.
   */
  reachability?: string
  timeoutMs: number
  /** a pass after the run may change its result (explained.ts folds explained alerts): its group's progress line ends with the run */
  settlesAfterRun?: boolean
  run(ctx: CheckContext): Promise<CheckOutcome>
}

/** A finished check: the check's identity (derived from Check, so the two cannot drift) and what it found. */
export interface CheckResult extends Pick<Check, 'id' | 'kind' | 'group' | 'node' | 'service' | 'title'> {
  status: CheckStatus
  detail: string
  cause?: string
  evidence?: string[]
  hint?: string
  alertLabels?: Record<string, string>[]
  /** a failure someone silenced in Alertmanager (still a failure: the exit code does not change) */
  silenced?: SilenceRef[]
  durationMs: number
}

/**
 * Causes that are a node's fault, not one check's: the node's Docker daemon is down or refuses
 * hydra's user. Every container check on that node fails with it; node-faults.ts makes it one problem.
 */
export const DOCKER_DAEMON_FAULTS: ReadonlySet<string> = new Set(['docker_down', 'docker_permission'])

/** The cause an SSH check gives a node it could not reach at all (timeout, no route). */
export const NODE_UNREACHABLE = 'node_unreachable'

/** A check passed for dependency purposes: warnings do not stop the checks after it. */
export function passed(r: Pick<CheckResult, 'status'> | undefined): boolean {
  return r?.status === 'ok' || r?.status === 'warn'
}

/** Added to a check's own timeouts so that the network call, not the runner, times out first. */
export const SLACK_MS = 500

/**
 * One family of the catalogue (node, prometheus, grafana, …): the kinds its checks use and the
 * checks the config calls for, in display order. A family's index only composes its check files.
 */
export interface CheckFamily {
  name: string
  kinds: readonly CheckKind[]
  checks(cfg: HydraConfig, probes: HealthProbe[]): Check[]
}
