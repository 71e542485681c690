/**
 * The lab's SSH side (design.md §6): one REAL OpenSSH server per lab node address (port 22, its own
 * generated host keys, key auth only, root only), a client key at <stateDir>/id_ed25519 and a
 * known_hosts at <stateDir>/known_hosts built from the host keys — the files the lab's hydra
 * config names. Sessions get a PATH whose first entry holds the node's `systemctl` shim (no
 * systemd runs here) and, when the lab's dockerd runs, DOCKER_HOST.
 *
 * sshd runs as a LabProcess (`-D -e -f cfg`, so the PID is sshd's and stopping it by PID works),
 * named sshd@<node> in the control API.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'

import {LabProcess} from './process.js'
import {systemctlShimScript} from './systemctl.js'


export interface LabSshNode {
  name: string
  address: string
  /** systemd unit → lab component whose state the systemctl shim reports */
  units: Record<string, string>
}

export interface LabSshOptions {
  stateDir: string
  nodes: LabSshNode[]
  /** DOCKER_HOST for sessions (the lab's dockerd), when it runs */
  dockerHost?: string
  port?: number
}

export interface LabSsh {
  processes: LabProcess[]
  clientKey: string
  knownHosts: string
  /** host public key lines ("ssh-ed25519 AAAA…") by node */
  hostKeys: Record<string, string>
  /** write what the systemctl shims need once the control API is up */
  writeSystemctlState(controlUrl: string): void
}

/** An sshd that answers with its banner is ready. */
export function sshBannerSeen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host, port})
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.once('data', (d) => done(d.toString('latin1').startsWith('SSH-2.0-')))
    socket.once('error', () => done(false))
  })
}

function keygen(file: string, comment: string): string {
  if (!existsSync(file)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], {stdio: 'ignore'})
  return readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
}

/** Sessions' PATH: the node's shims first, then the system's. */
export function labSessionPath(stateDir: string, node: string): string {
  return `${join(stateDir, `bin-${node}`)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`
}

export function prepareLabSsh(options: LabSshOptions): LabSsh {
  const {stateDir} = options
  const port = options.port ?? 22
  const sshDir = join(stateDir, 'ssh')
  mkdirSync(sshDir, {recursive: true})
  mkdirSync(join(stateDir, 'logs'), {recursive: true})
  // sshd insists on its privilege-separation directory
  mkdirSync('/run/sshd', {recursive: true, mode: 0o755})

  const clientKey = join(stateDir, 'id_ed25519')
  const clientPub = keygen(clientKey, 'hydra-lab-client')
  const authorizedKeys = join(sshDir, 'authorized_keys')
  writeFileSync(authorizedKeys, `${clientPub} hydra-lab-client\n`, {mode: 0o600})

  const hostKeys: Record<string, string> = {}
  const knownLines: string[] = []
  const processes: LabProcess[] = []
  for (const node of options.nodes) {
    const dir = join(sshDir, node.name)
    mkdirSync(dir, {recursive: true})
    const hostKey = join(dir, 'ssh_host_ed25519_key')
    hostKeys[node.name] = keygen(hostKey, `sshd@${node.name}`)
    knownLines.push(`${port === 22 ? node.address : `[${node.address}]:${port}`} ${hostKeys[node.name]}`)

    const bin = join(stateDir, `bin-${node.name}`)
    mkdirSync(bin, {recursive: true})
    // the real shim (systemctl.ts) is written once the control server is up (writeSystemctlState)
    const shim = join(bin, 'systemctl')
    writeFileSync(shim, `#!/bin/sh\necho "Failed to connect to bus: the hydra lab is still starting" >&2\nexit 1\n`)
    chmodSync(shim, 0o755)

    // Each lab node gets a home of its own, as a real node has. It also keeps this machine's
    // root ~/.bashrc (pyenv init: ~90 ms of CPU, sourced by bash for every SSH exec) out of the
    // lab's sessions, where it would dominate every timing.
    const home = join(dir, 'home')
    mkdirSync(home, {recursive: true})
    const env = [`HOME=${home}`, `PATH=${labSessionPath(stateDir, node.name)}`, ...(options.dockerHost ? [`DOCKER_HOST=${options.dockerHost}`] : [])]
    const config = join(dir, 'sshd_config')
    writeFileSync(
      config,
      [
        `# sshd for the lab node ${node.name} (written by test/lab/ssh.ts)`,
        `ListenAddress ${node.address}:${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'AllowUsers root',
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // the state dir is a temp dir; its modes are not sshd's business here
        'StrictModes no',
        'PrintMotd no',
        // the benchmark opens many connections at once
        'MaxStartups 200:30:400',
        'MaxSessions 32',
        `SetEnv ${env.join(' ')}`,
        '',
      ].join('\n'),
    )
    processes.push(
      new LabProcess({
        name: `sshd@${node.name}`,
        what: 'sshd (OpenSSH, Debian package)',
        node: node.name,
        address: node.address,
        port,
        command: '/usr/sbin/sshd',
        args: ['-D', '-e', '-f', config],
        logFile: join(stateDir, 'logs', `sshd@${node.name}.log`),
        ready: () => sshBannerSeen(node.address, port),
      }),
    )
  }
  const knownHosts = join(stateDir, 'known_hosts')
  writeFileSync(knownHosts, `${knownLines.join('\n')}\n`, {mode: 0o600})

  return {
    processes,
    clientKey,
    knownHosts,
    hostKeys,
    writeSystemctlState(controlUrl: string) {
      for (const node of options.nodes) {
        const state = join(stateDir, `systemctl-${node.name}.json`)
        writeFileSync(state, JSON.stringify({controlUrl, node: node.name, units: node.units}, null, 2))
        writeFileSync(join(stateDir, `bin-${node.name}`, 'systemctl'), systemctlShimScript(node.name, controlUrl, state), {mode: 0o755})
      }
    },
  }
}

/** The lab nodes with the units their systemctl shim knows: the NixOS nodes' exporter units. */
export function labSshNodes(addresses: Record<string, string>): LabSshNode[] {
  const nixos = new Set(['hydra-compute', 'hydra-ai'])
  return Object.entries(addresses).map(([name, address]): LabSshNode => ({
    name,
    address,
    units: nixos.has(name)
      ? {'prometheus-node-exporter.service': `node-exporter@${name}`, 'prometheus-nvidia-gpu-exporter.service': `gpu-exporter@${name}`}
      : ({} as Record<string, string>),
  }))
}
