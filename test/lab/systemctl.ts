/**
 * hydra test lab: `systemctl` for a lab node. No systemd runs in the lab, so this answers
 * show / is-active / status / start / stop / restart for the node's exporter units from the REAL
 * state of the lab component behind each unit, in systemctl's documented output format
 * (systemctl(1)): `show` prints Key=Value lines (only the -p properties), `is-active` prints the
 * state and exits 0 when active, 3 otherwise. Unknown units are LoadState=not-found.
 *
 * It runs inside the lab's control server (POST /systemctl); the node's `systemctl` on its
 * session PATH is a small sh script that sends its arguments there with curl (ssh.ts). A real
 * `systemctl show` costs a few milliseconds; the earlier shim started a Node process per call
 * (~0.1–0.5 CPU-s), which at 30 nodes was most of the lab's CPU and made every scale figure
 * measure the lab instead of hydra.
 */
import {readFileSync} from 'node:fs'

import type {ComponentStatus} from './types.js'

export interface SystemctlLab {
  componentStatus(name: string): ComponentStatus
  stopComponent(name: string): Promise<ComponentStatus>
  startComponent(name: string): Promise<ComponentStatus>
}

export interface SystemctlResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** The state file ssh.ts writes per node: which lab component backs which unit. */
export function readUnits(stateFile: string): Record<string, string> {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {units?: Record<string, string>}
  return state.units ?? {}
}

const unitName = (u: string) => (u.includes('.') ? u : `${u}.service`)

// the order systemd's bus lists these properties in
const ORDER = ['Result', 'MainPID', 'ExecMainStatus', 'LoadState', 'ActiveState', 'SubState']

type UnitState = Record<'LoadState' | 'ActiveState' | 'SubState' | 'MainPID' | 'ExecMainStatus' | 'Result', string>

/** The unit's state, as systemd would report it, from the component's real state. */
function unitState(lab: SystemctlLab, units: Record<string, string>, unit: string): UnitState {
  const component = units[unitName(unit)]
  if (!component) return {LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead', MainPID: '0', ExecMainStatus: '0', Result: 'success'}
  const c = lab.componentStatus(component)
  if (c.running) return {LoadState: 'loaded', ActiveState: 'active', SubState: 'running', MainPID: String(c.pid ?? 0), ExecMainStatus: '0', Result: 'success'}
  const exit = c.lastExit
  // systemd counts a stop by SIGTERM (what `systemctl stop` sends) or a clean exit as success
  if (!exit || exit.code === 0 || exit.signal === 'SIGTERM')
    return {LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead', MainPID: '0', ExecMainStatus: exit?.signal === 'SIGTERM' ? '15' : '0', Result: 'success'}
  if (exit.signal) return {LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed', MainPID: '0', ExecMainStatus: '9', Result: 'signal'}
  return {LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed', MainPID: '0', ExecMainStatus: String(exit.code), Result: 'exit-code'}
}

/** `systemctl ARGS…` on a node whose units are `units`. */
export async function systemctl(lab: SystemctlLab, units: Record<string, string>, args: string[]): Promise<SystemctlResult> {
  let verb: string | undefined
  const named: string[] = []
  let properties: string[] | undefined
  let valueOnly = false
  let quiet = false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--') {
      named.push(...args.slice(i + 1))
      break
    } else if (a === '-p' || a === '--property') properties = [...(properties ?? []), ...(args[++i] ?? '').split(',')]
    else if (a.startsWith('--property=')) properties = [...(properties ?? []), ...a.slice(11).split(',')]
    else if (a.startsWith('-p') && a.length > 2) properties = [...(properties ?? []), ...a.slice(2).split(',')]
    else if (a === '--value') valueOnly = true
    else if (a === '-q' || a === '--quiet') quiet = true
    else if (a.startsWith('-')) continue // --no-pager, --plain, ...: nothing to do here
    else if (!verb) verb = a
    else named.push(a)
  }

  const out: string[] = []
  const err: string[] = []
  let exitCode = 0
  try {
    switch (verb) {
      case 'show': {
        for (const [i, u] of named.entries()) {
          const s: Record<string, string> = {Id: unitName(u), ...unitState(lab, units, u)}
          if (i > 0) out.push('')
          for (const k of properties ?? ['Id', ...ORDER]) if (k in s || properties) out.push(valueOnly ? (s[k] ?? '') : `${k}=${s[k] ?? ''}`)
        }
        break
      }
      case 'is-active': {
        let any = false
        for (const u of named) {
          const s = unitState(lab, units, u)
          if (s.ActiveState === 'active') any = true
          if (!quiet) out.push(s.ActiveState)
        }
        exitCode = any ? 0 : 3
        break
      }
      case 'status': {
        let allActive = true
        for (const u of named) {
          const s = unitState(lab, units, u)
          if (s.ActiveState !== 'active') allActive = false
          out.push(
            `${s.ActiveState === 'active' ? '●' : '○'} ${unitName(u)}\n     Loaded: ${s.LoadState}\n     Active: ${s.ActiveState} (${s.SubState})${s.Result !== 'success' ? ` (Result: ${s.Result})` : ''}${s.MainPID !== '0' ? `\n   Main PID: ${s.MainPID}` : ''}`,
          )
        }
        exitCode = allActive ? 0 : 3
        break
      }
      case 'start':
      case 'stop':
      case 'restart': {
        for (const u of named) {
          const component = units[unitName(u)]
          if (!component) {
            err.push(`Failed to ${verb} ${unitName(u)}: Unit ${unitName(u)} not found.`)
            exitCode = 5
            continue
          }
          if (verb !== 'start') await lab.stopComponent(component)
          if (verb !== 'stop') await lab.startComponent(component)
        }
        break
      }
      default:
        err.push(`systemctl (hydra lab shim): unsupported command ${verb ?? '(none)'}`)
        exitCode = 1
    }
  } catch (error) {
    err.push(`Failed to connect to bus: ${error instanceof Error ? error.message : String(error)}`)
    exitCode = 1
  }
  return {stdout: out.length ? `${out.join('\n')}\n` : '', stderr: err.length ? `${err.join('\n')}\n` : '', exitCode}
}

/**
 * The node's `systemctl`: one bash process, no curl. It sends its arguments to the control server
 * over bash's /dev/tcp (HTTP/1.0, so the server closes the connection after its answer), which
 * answers with one head line `<exit code><TAB><stderr, backslash-escaped>` and then stdout. A real
 * `systemctl show` is one small C process; the curl the shim ran before cost about as much CPU as
 * the rest of the node's reads together (sh + curl + cat ~50 ms against ~15 ms for bash alone), on
 * the runbook's `systemctl status` as on hydra's `systemctl show`.
 */
export function systemctlShimScript(node: string, controlUrl: string, stateFile: string): string {
  const {hostname, port} = new URL(controlUrl)
  if (!/^[0-9.]+$/.test(hostname) || !/^\d+$/.test(port)) throw new Error(`the systemctl shim needs an IPv4 control URL with a port, got ${controlUrl}`)
  if (/['\n]/.test(stateFile)) throw new Error(`the systemctl shim's state file name cannot hold a quote or newline: ${stateFile}`)
  return `#!/bin/bash
# hydra lab: systemctl for ${node}, answered from the lab's real exporter state by the lab's
# control server (test/lab/systemctl.ts)
export LC_ALL=C
fail() { echo "Failed to connect to bus: the lab's control server did not answer\${1:+ ($1)}" >&2; exit 1; }
# application/x-www-form-urlencoded, into REPLY
enc() { local s=$1 c i; REPLY=; for ((i = 0; i < \${#s}; i++)); do c=\${s:i:1}; case $c in [A-Za-z0-9._~-]) REPLY+=$c ;; *) printf -v c '%%%02X' "'$c"; REPLY+=$c ;; esac; done; }
enc '${stateFile}'
body="state=$REPLY"
for a do enc "$a"; body+="&a=$REPLY"; done
{ exec 3<>/dev/tcp/${hostname}/${port}; } 2>/dev/null || fail
printf 'POST /systemctl HTTP/1.0\\r\\nHost: ${hostname}:${port}\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "\${#body}" "$body" >&3
IFS= read -r -t 30 status <&3 || fail 'no answer within 30s'
case $status in "HTTP/1."?" 200 "*) ;; *) fail "\${status%$'\\r'}" ;; esac
while IFS= read -r -t 30 line <&3 && [ -n "\${line%$'\\r'}" ]; do :; done
IFS= read -r -t 30 head <&3 || fail 'no answer within 30s'
code=\${head%%$'\\t'*}
err=\${head#*$'\\t'}
[ -z "$err" ] || printf '%b' "$err" >&2
while IFS= read -r -t 30 line <&3 || [ -n "$line" ]; do printf '%s\\n' "$line"; done
exit "$code"
`
}

/** The control server's answer for the shim above. */
export function shimResponse(r: SystemctlResult): string {
  const err = r.stderr.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t')
  return `${r.exitCode}\t${err}\n${r.stdout}`
}
