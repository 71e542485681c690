/**
 * The test lab from a shell.
 *
 *   npx tsx test/lab/cli.ts start                 start the lab, print its config and control URL, run until SIGINT/SIGTERM
 *   npx tsx test/lab/cli.ts run -- <cmd…>         start the lab, run <cmd> with HYDRA_CONFIG and HYDRA_LAB_CONTROL, stop, exit with <cmd>'s code
 *   npx tsx test/lab/cli.ts --netns run -- <cmd…> the same inside a fresh loopback-only network namespace (needs root)
 *   --state-dir DIR                               keep config, data and logs in DIR (kept afterwards)
 *
 * The lab refuses to start outside a loopback-only network namespace.
 */
import {spawn, spawnSync} from 'node:child_process'
import {copyFileSync, mkdirSync, rmSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {startLab, type Lab} from './lab.js'

const USAGE = 'usage: tsx test/lab/cli.ts [--netns] [--state-dir DIR] start | run -- <command> [args…]'

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

function parseArgs(argv: string[]): {netns: boolean; stateDir?: string; command?: string; rest: string[]} {
  let netns = false
  let stateDir: string | undefined
  let command: string | undefined
  let i = 0
  for (; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--netns') netns = true
    else if (a === '--state-dir') stateDir = argv[++i] ?? fail(USAGE)
    else if (a.startsWith('--state-dir=')) stateDir = a.slice('--state-dir='.length)
    else if (a === '-h' || a === '--help') fail(USAGE, 0)
    else if (!command) command = a
    else break
  }
  let rest = argv.slice(i)
  if (rest[0] === '--') rest = rest.slice(1)
  return {netns, stateDir, command, rest}
}

/** Re-run this CLI (without --netns) inside a new loopback-only namespace, then delete it. */
async function inNetns(argv: string[]): Promise<number> {
  const ns = `hydra-lab-${process.pid}`
  const ip = (...args: string[]) => spawnSync('ip', args, {stdio: 'inherit'})
  // the lab's node names: `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts
  mkdirSync(`/etc/netns/${ns}`, {recursive: true})
  copyFileSync(fileURLToPath(new URL('./netns-hosts', import.meta.url)), `/etc/netns/${ns}/hosts`)
  if (ip('netns', 'add', ns).status !== 0) fail(`cannot create network namespace ${ns} (root needed)`, 1)
  try {
    if (ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up').status !== 0) fail(`cannot bring lo up in ${ns}`, 1)
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...process.execArgv, process.argv[1]!, ...argv.filter((a) => a !== '--netns')], {
      stdio: 'inherit',
    })
    const forward = (sig: NodeJS.Signals) => {
      if (child.pid !== undefined) process.kill(child.pid, sig)
    }
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))))
  } finally {
    ip('netns', 'del', ns)
    rmSync(`/etc/netns/${ns}`, {recursive: true, force: true})
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2)
  const {netns, stateDir, command, rest} = parseArgs(argv)
  if (command !== 'start' && command !== 'run') fail(USAGE)
  if (command === 'run' && rest.length === 0) fail(USAGE)
  if (netns) return inNetns(argv)

  const log = (line: string) => process.stderr.write(`${line}\n`)
  let lab: Lab
  try {
    lab = await startLab({stateDir, log})
  } catch (err) {
    log(err instanceof Error ? err.message : String(err))
    return 1
  }

  if (command === 'start') {
    process.stdout.write(`HYDRA_CONFIG=${lab.configPath}\nHYDRA_LAB_CONTROL=${lab.controlUrl}\n`)
    log('lab running; Ctrl-C (SIGINT) or SIGTERM stops it')
    // persistent listeners: the lab's own handler then stops the lab without re-raising the signal
    await new Promise<void>((resolve) => {
      process.on('SIGINT', () => resolve())
      process.on('SIGTERM', () => resolve())
    })
    await lab.stop()
    return 0
  }

  const [cmd, ...args] = rest
  const child = spawn(cmd!, args, {
    stdio: 'inherit',
    env: {...process.env, HYDRA_CONFIG: lab.configPath, HYDRA_LAB_CONTROL: lab.controlUrl},
  })
  const forward = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, sig)
    } catch {
      /* it has just exited */
    }
  }
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      log(`cannot run ${cmd}: ${err.message}`)
      resolve(127)
    })
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)))
  })
  await lab.stop()
  return code
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
