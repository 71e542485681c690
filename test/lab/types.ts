/**
 * Shapes shared by the lab's control server (lab.ts, control-server.ts) and its client (control.ts).
 * Kept apart so a test importing the client pulls in no server code.
 */

/** A fault injected into a stand-in. Fields combine: delay first, then hang or the forced answer. */
export interface Fault {
  /** answer every (matching) request with this status instead of the real handler */
  status?: number
  /** body of the forced answer (default: the status text) */
  body?: string
  /** content type of the forced answer (default: text/plain; charset=utf-8) */
  contentType?: string
  /** wait this long before handling each request */
  delayMs?: number
  /** accept the request and never answer (until the fault is cleared and the stand-in stopped, or the client gives up) */
  hang?: boolean
  /** only these exact paths (e.g. ['/ready']); default: every path */
  paths?: string[]
  /** only requests whose User-Agent contains this (e.g. 'Prometheus/': its scrapes, not hydra's fetch) */
  userAgent?: string
}

export type ComponentKind = 'process' | 'standin'

export interface ComponentStatus {
  name: string
  kind: ComponentKind
  /** what it is: the Debian binary for a process, the real server a stand-in imitates */
  what: string
  node: string
  address: string
  port: number
  /** base URL, e.g. http://127.0.0.2:9090 */
  url: string
  running: boolean
  /** real processes only */
  pid?: number
  /** real processes only: the last exit (code or signal), if it has exited since the lab started */
  lastExit?: {code: number | null; signal: string | null}
  /** real processes only: its stdout+stderr */
  logFile?: string
  /** stand-ins only */
  fault?: Fault
  /** stand-ins only: the knobs `setState` can change */
  state?: unknown
}

export interface LabStatus {
  stateDir: string
  configPath: string
  controlUrl: string
  prometheusUrl: string
  alertmanagerUrl: string
  components: Record<string, ComponentStatus>
}
