/**
 * Where and how hydra connects to a node: the node's SSH config merged with the user's
 * ~/.ssh/config (for host aliases, user, port and identity file, via the `ssh-config` package).
 *
 * Precedence, most specific first: what the node itself says in hydra's config, then
 * ~/.ssh/config for that host, then hydra's `defaults.ssh`, then built-in defaults. This lets a
 * user keep their per-host SSH settings in one place while hydra's defaults fill the rest.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'

import SSHConfig from 'ssh-config'

import type {HostKeyPolicy, HydraConfig, ResolvedNode} from '../config/resolve.js'
import {UserError} from '../errors.js'
import {knownHostName} from './known-hosts.js'

export interface SshTarget {
  node: string
  /** the host to connect to (HostName from ~/.ssh/config, else the alias or address) */
  host: string
  port: number
  user: string
  /** key files to try, in order (only files that exist) */
  identityFiles: string[]
  /** where an explicitly configured key file was expected (for error messages) */
  identityFileConfigured?: string
  /** $SSH_AUTH_SOCK when the agent may be used */
  agentSocket?: string
  hostKeys: HostKeyPolicy
  knownHostsFile: string
  /** the names the host's key is looked up under in known_hosts */
  knownHostNames: string[]
  connectTimeoutMs: number
  commandTimeoutMs: number
  sudo: boolean
  /** the reads asked for together go as one exec session (ssh.batch) */
  batch?: boolean
  /** which ~/.ssh/config file was applied, if any */
  sshConfigFile?: string
}

export interface TargetEnvironment {
  env?: NodeJS.ProcessEnv
  home?: string
}

const DEFAULT_KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

function expandHome(path: string, home: string): string {
  if (path === '~') return home
  if (path.startsWith('~/')) return join(home, path.slice(2))
  return isAbsolute(path) ? path : resolve(path)
}

type Computed = Record<string, string | string[] | undefined>

function readSshConfig(file: string | undefined, host: string): Computed {
  if (!file || !existsSync(file)) return {}
  let parsed
  try {
    parsed = SSHConfig.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UserError(`cannot parse the SSH config ${file}: ${(error as Error).message}`, {hint: 'fix the file, or set ssh.sshConfig: false for this node'})
  }
  return parsed.compute(host) as Computed
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)

export function sshTargetForNode(cfg: HydraConfig, node: ResolvedNode, environment: TargetEnvironment = {}): SshTarget {
  const env = environment.env ?? process.env
  const home = environment.home ?? homedir()
  const explicit = cfg.raw.nodes[node.name]?.ssh ?? {}
  const defaults = cfg.raw.defaults?.ssh ?? {}
  const ssh = node.ssh

  const sshConfigFile = ssh.sshConfig === false ? undefined : expandHome(ssh.sshConfig ?? '~/.ssh/config', home)
  const lookupHost = ssh.alias ?? node.address
  const fromFile = readSshConfig(sshConfigFile, lookupHost)

  const host = first(fromFile.HostName) ?? lookupHost
  const portFromFile = first(fromFile.Port)
  const port = explicit.port ?? (portFromFile ? Number(portFromFile) : undefined) ?? defaults.port ?? 22
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UserError(`node ${node.name}: SSH port ${JSON.stringify(portFromFile)} from ${sshConfigFile} is not a port number`)
  const user = explicit.user ?? first(fromFile.User) ?? defaults.user ?? ssh.user

  const configuredKey = explicit.identityFile ?? first(fromFile.IdentityFile) ?? defaults.identityFile
  let identityFiles: string[]
  if (configuredKey) {
    identityFiles = [expandHome(configuredKey, home)]
  } else {
    identityFiles = DEFAULT_KEY_FILES.map((f) => join(home, '.ssh', f)).filter((f) => existsSync(f))
  }
  const identitiesOnly = first(fromFile.IdentitiesOnly)?.toLowerCase() === 'yes'
  const agentSocket = ssh.agent && !(identitiesOnly && configuredKey) ? env.SSH_AUTH_SOCK || undefined : undefined

  const knownHostsFromFile = first(fromFile.UserKnownHostsFile)?.split(/\s+/)[0]
  const knownHostsFile = expandHome(explicit.knownHosts ?? knownHostsFromFile ?? defaults.knownHosts ?? '~/.ssh/known_hosts', home)
  const hostKeyAlias = first(fromFile.HostKeyAlias)
  const knownHostNames = [knownHostName(hostKeyAlias ?? host, port)]

  return {
    node: node.name,
    host,
    port,
    user,
    identityFiles,
    identityFileConfigured: configuredKey ? expandHome(configuredKey, home) : undefined,
    agentSocket,
    hostKeys: ssh.hostKeys,
    knownHostsFile,
    knownHostNames,
    connectTimeoutMs: ssh.connectTimeoutMs,
    commandTimeoutMs: ssh.commandTimeoutMs,
    sudo: ssh.sudo,
    batch: ssh.batch,
    sshConfigFile: sshConfigFile && existsSync(sshConfigFile) ? sshConfigFile : undefined,
  }
}
