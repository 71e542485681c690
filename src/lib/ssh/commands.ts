/**
 * Every command hydra runs on a node, as fixed templates. Nothing else in hydra builds a remote
 * command line: values enter only through `quoteRemoteValue` (allow-list + single quotes) or as
 * integers checked here, so no config or API value can reach the remote shell as code.
 */
import {UserError} from '../errors.js'
import {quoteRemoteValue} from './shell.js'

export interface RemoteCommand {
  /** stable id for errors and tests, e.g. systemctl-show */
  id: string
  /** the exact command line sent to the node */
  line: string
  /** needs root: run through `sudo -n` when the node's config says so */
  needsRoot: boolean
}

/** Properties of `systemctl show` that exporter status reads (systemctl(1), key=value per line). */
export const SYSTEMD_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'ExecMainStatus', 'Result'] as const

const cmd = (id: string, line: string, needsRoot = false): RemoteCommand => ({id, line, needsRoot})

function checkedInteger(what: string, n: number, min: number, max: number): number {
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${what} must be a whole number from ${min} to ${max}, got ${n}`)
  return n
}

function systemdUnitStates(units: string[]): RemoteCommand {
  if (units.length === 0) throw new UserError('no unit to show')
  return cmd('systemctl-show', `systemctl show --no-pager -p ${SYSTEMD_PROPERTIES.join(',')} -- ${units.map((u) => quoteRemoteValue('unit', u)).join(' ')}`)
}

export const remoteCommands = {
  systemdUnitState: (unit: string) => systemdUnitStates([unit]),
  /** several units in one call: systemctl prints one block per unit, in the order named, separated by an empty line */
  systemdUnitStates,
  containerState: (container: string) =>
    cmd('docker-inspect-state', `docker inspect --format '{{json .State}}' -- ${quoteRemoteValue('container', container)}`),
  processTable: () => cmd('ps', 'ps -eo pid,comm,args'),
  listeningTcpSockets: () => cmd('ss-listen', 'ss -ltnH'),
  // -p: the owning PIDs (all of them as root, the login user's otherwise), to find an exporter on
  // another port. Asked only then: -p reads every process's fd table (12 ms of the node's CPU on a
  // lab node with ~60 processes, more on a busy host), the plain list costs a few.
  listeningTcpSocketOwners: () => cmd('ss-listen-owners', 'ss -ltnpH'),
  iptablesVersion: () => cmd('iptables-version', 'iptables -V'),
  /**
   * The client and server address of this SSH session (hydra's source address as the node sees it),
   * then `iptables -V` in the same session: its output after that first line, and its exit code.
   */
  sshConnectionAndIptablesVersion: () => cmd('ssh-connection+iptables-version', 'printf "%s\\n" "$SSH_CONNECTION"; iptables -V'),
  iptablesRules: () => cmd('iptables-rules', 'iptables -w 5 -S', true),
  nftRuleset: () => cmd('nft-ruleset', 'nft -j list ruleset', true),
  containerNames: () => cmd('docker-ps', "docker ps -a --format '{{.Names}}'"),
  inspectContainers: (containers: string[]) => {
    if (containers.length === 0) throw new UserError('no container to inspect')
    // --type container: a name is never taken for an image, volume or network of the same name
    return cmd('docker-inspect', `docker inspect --type container -- ${containers.map((c) => quoteRemoteValue('container', c)).join(' ')}`)
  },
  containerLogs: (container: string, tail: number) =>
    cmd('docker-logs', `docker logs --tail ${checkedInteger('--tail', tail, 0, 100_000)} -- ${quoteRemoteValue('container', container)}`),
} as const

/**
 * The line as sent. The caller decides `useSudo` from the config: `ssh.sudo` for commands that
 * need root (firewall reads), an exporter's own `sudo: true` for its state commands.
 * `sudo -n` never prompts: a password requirement becomes an error we can explain.
 */
export function commandLine(command: RemoteCommand, useSudo: boolean): string {
  return useSudo ? `sudo -n -- ${command.line}` : command.line
}
