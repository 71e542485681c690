/**
 * `systemctl show -p …` output: one `Key=Value` per line (systemctl(1)). Pure.
 */
export interface UnitState {
  loadState?: string
  activeState?: string
  subState?: string
  mainPid?: number
  execMainStatus?: number
  result?: string
  /** every property as printed */
  properties: Record<string, string>
}

export function parseSystemctlShow(text: string): UnitState {
  const properties: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    properties[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  const num = (v: string | undefined) => (v === undefined || v === '' || !/^-?\d+$/.test(v) ? undefined : Number(v))
  return {
    loadState: properties.LoadState,
    activeState: properties.ActiveState,
    subState: properties.SubState,
    mainPid: num(properties.MainPID),
    execMainStatus: num(properties.ExecMainStatus),
    result: properties.Result,
    properties,
  }
}

/**
 * `systemctl show -p … -- A B …`: one block per unit, in the order named, an empty line between
 * blocks (systemctl(1); systemctl's show_one prints a newline before every unit but the first).
 * Undefined when the block count is not the unit count, so the caller can ask unit by unit. Pure.
 */
export function parseSystemctlShowUnits(text: string, units: number): UnitState[] | undefined {
  const blocks = text.replace(/\n+$/, '').split(/\n[ \t]*\n/)
  if (blocks.length !== units || blocks.some((b) => !b.includes('='))) return undefined
  return blocks.map(parseSystemctlShow)
}

export type ServiceCondition = 'running' | 'starting' | 'stopped' | 'failed' | 'missing' | 'unknown'

/** What a unit state means for an exporter: only active/running serves metrics. */
export function unitCondition(s: UnitState): ServiceCondition {
  if (s.loadState === 'not-found') return 'missing'
  switch (s.activeState) {
    case 'active':
      return s.subState === 'running' || s.subState === undefined ? 'running' : s.subState === 'exited' ? 'stopped' : 'running'
    case 'activating':
    case 'reloading':
      return 'starting'
    case 'failed':
      return 'failed'
    case 'inactive':
    case 'deactivating':
      return s.result && s.result !== 'success' ? 'failed' : 'stopped'
    default:
      return 'unknown'
  }
}

/** The state as systemctl names it, e.g. "ActiveState=inactive SubState=dead Result=exit-code ExecMainStatus=1". */
export function describeUnitState(s: UnitState): string {
  const parts = [`ActiveState=${s.activeState ?? '?'}`, `SubState=${s.subState ?? '?'}`]
  if (s.loadState && s.loadState !== 'loaded') parts.unshift(`LoadState=${s.loadState}`)
  if (s.result && s.result !== 'success') parts.push(`Result=${s.result}`)
  if (s.execMainStatus) parts.push(`ExecMainStatus=${s.execMainStatus}`)
  if (s.mainPid) parts.push(`MainPID=${s.mainPid}`)
  return parts.join(' ')
}
