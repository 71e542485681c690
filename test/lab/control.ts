/**
 * The typed client of the lab's control API (control-server.ts), and the waits tests need.
 *
 *   const lab = new LabControl(inject('lab').controlUrl)   // or LabControl.fromEnv() (HYDRA_LAB_CONTROL)
 *   await lab.stop('node-exporter@hydra-compute')
 *   await waitForTargetHealth(promUrl, '127.0.0.3:9100', 'down', 10_000)
 *   await lab.fault('loki', {status: 503, body: 'Ingester not ready: …'})
 *   await lab.reset()
 *
 * Component names: prometheus, alertmanager, node-exporter@<node> (real processes); grafana,
 * loki, cadvisor, qdrant, tabbyapi, ollama, litellm, gpu-exporter@<node> (stand-ins).
 */
import type {ComponentStatus, Fault, LabStatus} from './types.js'

export type {ComponentStatus, Fault, LabStatus} from './types.js'

export class LabControl {
  readonly url: string

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '')
  }

  /** The lab started by `test/lab/cli.ts run` sets HYDRA_LAB_CONTROL for the command it runs. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): LabControl {
    const url = env.HYDRA_LAB_CONTROL
    if (!url) throw new Error('HYDRA_LAB_CONTROL is not set: start the command with `npx tsx test/lab/cli.ts run -- <command>`')
    return new LabControl(url)
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : {'Content-Type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    })
    const text = await res.text()
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new Error(`lab control ${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`)
    }
    if (!res.ok) {
      const msg = (value as {error?: string}).error ?? text
      throw new Error(`lab control ${method} ${path}: HTTP ${res.status}: ${msg}`)
    }
    return value as T
  }

  private static c(name: string): string {
    return `/components/${encodeURIComponent(name)}`
  }

  status(): Promise<LabStatus> {
    return this.call('GET', '/status')
  }

  component(name: string): Promise<ComponentStatus> {
    return this.call('GET', LabControl.c(name))
  }

  /** A real process: SIGTERM by PID (SIGKILL after 5s). A stand-in: its port closes and refuses. */
  stop(name: string): Promise<ComponentStatus> {
    return this.call('POST', `${LabControl.c(name)}/stop`)
  }

  /** Start it again and wait until it answers. */
  start(name: string): Promise<ComponentStatus> {
    return this.call('POST', `${LabControl.c(name)}/start`)
  }

  /** Stand-ins only: force a status + body, delay each request, or hang. Replaces any earlier fault. */
  fault(standin: string, fault: Fault): Promise<ComponentStatus> {
    return this.call('PUT', `${LabControl.c(standin)}/fault`, fault)
  }

  clearFault(standin: string): Promise<ComponentStatus> {
    return this.call('DELETE', `${LabControl.c(standin)}/fault`)
  }

  /** Every stand-in's fault cleared and every stopped stand-in listening again. */
  clearFaults(): Promise<LabStatus> {
    return this.call('DELETE', '/faults')
  }

  /** Stand-in knobs, e.g. loki {ready:false}, qdrant {ready:false}, tabbyapi {issues:['…']}, gpu-exporter@hydra-ai {gpus:[{index:0,temperatureC:95}]}. */
  setState(standin: string, patch: Record<string, unknown>): Promise<ComponentStatus> {
    return this.call('PATCH', `${LabControl.c(standin)}/state`, patch)
  }

  /** Back to a fresh lab: faults and states cleared, everything stopped started again, every target up. */
  reset(): Promise<LabStatus> {
    return this.call('POST', '/reset')
  }
}

/** One entry of Prometheus's GET /api/v1/targets `activeTargets` (api-facts.md §1). */
export interface PromTarget {
  discoveredLabels: Record<string, string>
  labels: Record<string, string>
  scrapePool: string
  scrapeUrl: string
  globalUrl: string
  lastError: string
  lastScrape: string
  lastScrapeDuration: number
  health: 'up' | 'down' | 'unknown'
  scrapeInterval: string
  scrapeTimeout: string
}

export async function fetchActiveTargets(promUrl: string): Promise<PromTarget[]> {
  const res = await fetch(`${promUrl.replace(/\/+$/, '')}/api/v1/targets?state=active`, {signal: AbortSignal.timeout(2000)})
  if (!res.ok) throw new Error(`GET /api/v1/targets: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`)
  const body = (await res.json()) as {data: {activeTargets: PromTarget[]}}
  return body.data.activeTargets
}

export interface WaitOptions {
  intervalMs?: number
  /** what is awaited, for the timeout message */
  description?: string
}

/**
 * Poll `predicate` until it returns a truthy value, and return that value. A predicate that throws
 * counts as "not yet"; its last error goes into the timeout message.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, timeoutMs = 10_000, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  const interval = options.intervalMs ?? 100
  let last: unknown
  for (;;) {
    try {
      const value = await predicate()
      if (value) return value as NonNullable<T>
      last = value
    } catch (err) {
      last = err
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last)
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${options.description ?? 'a condition'} (last: ${detail})`)
    }
    await new Promise((r) => setTimeout(r, interval))
  }
}

/**
 * Wait until Prometheus reports the target with this `instance` label (e.g. 127.0.0.3:9100) as
 * `health`, and return the target (its `lastError` is Prometheus's own).
 */
export async function waitForTargetHealth(
  promUrl: string,
  instance: string,
  health: 'up' | 'down',
  timeoutMs = 15_000,
  options: {job?: string} = {},
): Promise<PromTarget> {
  let seen: PromTarget | undefined
  try {
    return await waitFor(
      async () => {
        const targets = await fetchActiveTargets(promUrl)
        seen = targets.find((t) => t.labels.instance === instance && (options.job === undefined || t.labels.job === options.job))
        if (!seen) throw new Error(`Prometheus has no active target ${instance}${options.job ? ` in job ${options.job}` : ''}`)
        return seen.health === health ? seen : undefined
      },
      timeoutMs,
      {intervalMs: 100, description: `target ${instance} to be ${health}`},
    )
  } catch (err) {
    if (seen) throw new Error(`${(err as Error).message}; it is ${seen.health}${seen.lastError ? ` (${seen.lastError})` : ''}`)
    throw err
  }
}

/**
 * Wait until Prometheus reports the alert `name` firing (past its `for`), not only pending: a
 * target that just went down makes its alert pending first, and under load the alert's `for` can
 * still be running when a test asks `hydra alerts`.
 */
export async function waitForAlertFiring(promUrl: string, name: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${promUrl}/api/v1/alerts`)
      const body = (await res.json()) as {data: {alerts: {labels: Record<string, string>; state: string}[]}}
      return body.data.alerts.some((a) => a.labels.alertname === name && a.state === 'firing')
    },
    timeoutMs,
    {intervalMs: 200, description: `alert ${name} to be firing`},
  )
}
