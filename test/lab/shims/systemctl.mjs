#!/usr/bin/env node
// hydra test lab: `systemctl` for a lab node. No systemd runs in the lab, so this answers
// show / is-active / status / start / stop / restart for the node's exporter units from the REAL
// state of the lab component behind each unit (the lab's control API), in systemctl's documented
// output format (systemctl(1)): `show` prints Key=Value lines (only the -p properties), `is-active`
// prints the state and exits 0 when active, 3 otherwise. Unknown units are LoadState=not-found.
import {readFileSync} from 'node:fs'

const args = process.argv.slice(2)
const stateIndex = args.indexOf('--lab-state')
const lab = JSON.parse(readFileSync(args[stateIndex + 1], 'utf8'))
args.splice(stateIndex, 2)

let verb
const units = []
let properties
let valueOnly = false
let quiet = false
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--') {
    units.push(...args.slice(i + 1))
    break
  } else if (a === '-p' || a === '--property') properties = [...(properties ?? []), ...args[++i].split(',')]
  else if (a.startsWith('--property=')) properties = [...(properties ?? []), ...a.slice(11).split(',')]
  else if (a.startsWith('-p') && a.length > 2) properties = [...(properties ?? []), ...a.slice(2).split(',')]
  else if (a === '--value') valueOnly = true
  else if (a === '-q' || a === '--quiet') quiet = true
  else if (a.startsWith('-')) continue // --no-pager, --plain, ...: nothing to do here
  else if (!verb) verb = a
  else units.push(a)
}

const unitName = (u) => (u.includes('.') ? u : `${u}.service`)

async function control(method, path) {
  const res = await fetch(`${lab.controlUrl}${path}`, {method, signal: AbortSignal.timeout(30_000)})
  const body = await res.json()
  if (!res.ok) throw new Error(body.error ?? `control API ${res.status}`)
  return body
}

/** The unit's state, as systemd would report it, from the component's real state. */
async function unitState(unit) {
  const component = lab.units[unitName(unit)]
  if (!component) return {LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead', MainPID: '0', ExecMainStatus: '0', Result: 'success'}
  const c = await control('GET', `/components/${encodeURIComponent(component)}`)
  if (c.running) return {LoadState: 'loaded', ActiveState: 'active', SubState: 'running', MainPID: String(c.pid ?? 0), ExecMainStatus: '0', Result: 'success'}
  const exit = c.lastExit
  // systemd counts a stop by SIGTERM (what `systemctl stop` sends) or a clean exit as success
  if (!exit || exit.code === 0 || exit.signal === 'SIGTERM')
    return {LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead', MainPID: '0', ExecMainStatus: exit?.signal === 'SIGTERM' ? '15' : '0', Result: 'success'}
  if (exit.signal) return {LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed', MainPID: '0', ExecMainStatus: '9', Result: 'signal'}
  return {LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed', MainPID: '0', ExecMainStatus: String(exit.code), Result: 'exit-code'}
}

// the order systemd's bus lists these properties in
const ORDER = ['Result', 'MainPID', 'ExecMainStatus', 'LoadState', 'ActiveState', 'SubState']

try {
  switch (verb) {
    case 'show': {
      const out = []
      for (const [i, u] of units.entries()) {
        const s = {Id: unitName(u), ...(await unitState(u))}
        if (i > 0) out.push('')
        for (const k of properties ?? ['Id', ...ORDER]) if (k in s || properties) out.push(valueOnly ? (s[k] ?? '') : `${k}=${s[k] ?? ''}`)
      }
      process.stdout.write(out.length ? `${out.join('\n')}\n` : '')
      break
    }
    case 'is-active': {
      let any = false
      for (const u of units) {
        const s = await unitState(u)
        if (s.ActiveState === 'active') any = true
        if (!quiet) process.stdout.write(`${s.ActiveState}\n`)
      }
      process.exitCode = any ? 0 : 3
      break
    }
    case 'status': {
      let allActive = true
      for (const u of units) {
        const s = await unitState(u)
        if (s.ActiveState !== 'active') allActive = false
        process.stdout.write(
          `${s.ActiveState === 'active' ? '●' : '○'} ${unitName(u)}\n     Loaded: ${s.LoadState}\n     Active: ${s.ActiveState} (${s.SubState})${s.Result !== 'success' ? ` (Result: ${s.Result})` : ''}\n${s.MainPID !== '0' ? `   Main PID: ${s.MainPID}\n` : ''}`,
        )
      }
      process.exitCode = allActive ? 0 : 3
      break
    }
    case 'start':
    case 'stop':
    case 'restart': {
      for (const u of units) {
        const component = lab.units[unitName(u)]
        if (!component) {
          process.stderr.write(`Failed to ${verb} ${unitName(u)}: Unit ${unitName(u)} not found.\n`)
          process.exitCode = 5
          continue
        }
        if (verb !== 'start') await control('POST', `/components/${encodeURIComponent(component)}/stop`)
        if (verb !== 'stop') await control('POST', `/components/${encodeURIComponent(component)}/start`)
      }
      break
    }
    default:
      process.stderr.write(`systemctl (hydra lab shim): unsupported command ${verb ?? '(none)'}\n`)
      process.exitCode = 1
  }
} catch (error) {
  process.stderr.write(`Failed to connect to bus: ${error.message}\n`)
  process.exitCode = 1
}
