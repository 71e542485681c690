/**
 * How an SSH connection or a remote command failed, in the words an operator acts on: the host-key
 * policy's verdict, a failed connection named by its cause (refused login, changed or unknown host
 * key with the command that fixes it, refused, timeout, unreachable, DNS, reset), and a remote
 * command that failed (sudo wanting a password, a missing program, an exit code). Pure, except that
 * accept-new records an unknown key. Used by clients/ssh.ts.
 */
import type {ExecResult} from '../clients/ssh.js'
import {redact} from '../secrets.js'
import {sshError, type SshError, type SshFailure} from './errors.js'
import {appendKnownHost, checkHostKey, fingerprintOfBlob, keyTypeOfBlob, readKnownHosts, type HostKeyVerdict} from './known-hosts.js'
import type {SshTarget} from './target.js'

/** The host-key policy: strict refuses unknown and changed keys; accept-new records unknown ones; off accepts all. */
export function verifyHostKey(t: Pick<SshTarget, 'hostKeys' | 'knownHostsFile' | 'knownHostNames'>, blob: Buffer): {accept: boolean; verdict: HostKeyVerdict} {
  const verdict = checkHostKey(readKnownHosts(t.knownHostsFile), t.knownHostNames, blob)
  if (t.hostKeys === 'off') return {accept: verdict.status !== 'revoked', verdict}
  if (verdict.status === 'known') return {accept: true, verdict}
  if (verdict.status === 'unknown' && t.hostKeys === 'accept-new') {
    appendKnownHost(t.knownHostsFile, t.knownHostNames[0]!, blob)
    return {accept: true, verdict}
  }
  return {accept: false, verdict}
}

export function classifyConnectError(
  t: SshTarget,
  error: Error & {level?: string; code?: string},
  hostKey: {verdict: HostKeyVerdict; blob: Buffer} | undefined,
  keyProblems: string[],
): SshError {
  const where = `${t.user}@${t.host}:${t.port}`
  const name = t.knownHostNames[0]!
  if (hostKey && hostKey.verdict.status !== 'known' && /Host denied|verification failed/i.test(error.message)) {
    const fp = fingerprintOfBlob(hostKey.blob)
    const type = keyTypeOfBlob(hostKey.blob)
    const v = hostKey.verdict
    const details = {host: t.host, port: t.port, keyType: type, fingerprint: fp, knownHosts: t.knownHostsFile}
    if (v.status === 'changed') {
      return sshError('host_key_changed', t.node, `${t.node}: the ${type} host key of ${name} has CHANGED: it is now ${fp}, which does not match ${t.knownHostsFile}:${v.line}. Someone could be intercepting the connection, or the host was reinstalled.`, {
        hint: `if the change is expected, remove the old key with: ssh-keygen -R '${name}' -f ${t.knownHostsFile} (then connect again to record the new one)`,
        details,
      })
    }
    if (v.status === 'revoked') {
      return sshError('host_key_revoked', t.node, `${t.node}: the ${type} host key ${fp} of ${name} is marked @revoked in ${t.knownHostsFile}:${v.line}`, {
        hint: 'the host presents a key you have revoked: do not connect until the host has a new key',
        details,
      })
    }
    return sshError('host_key_unknown', t.node, `${t.node}: the ${type} host key of ${name} is not in ${t.knownHostsFile}: ${fp}${v.otherTypesKnown.length ? ` (keys of other types are known: ${v.otherTypesKnown.join(', ')})` : ''}`, {
      hint: `compare ${fp} with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-/, '').replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa')}_key.pub on the node), then record it: ssh-keyscan -p ${t.port} -t ${type} ${t.host} >> ${t.knownHostsFile}, or set ssh.hostKeys: accept-new for this node`,
      details,
    })
  }
  const code = error.code
  const failure: SshFailure =
    error.level === 'client-authentication'
      ? 'auth'
      : error.level === 'client-timeout'
        ? 'timeout'
        : code === 'ECONNREFUSED'
          ? 'refused'
          : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL'
            ? 'unreachable'
            : code === 'ENOTFOUND' || code === 'EAI_AGAIN' || error.level === 'client-dns'
              ? 'dns'
              : code === 'ECONNRESET' || code === 'EPIPE'
                ? 'reset'
                : code === 'ETIMEDOUT'
                  ? 'timeout'
                  : 'ssh'
  const keys = t.identityFiles.length ? t.identityFiles.join(', ') : 'no key file'
  switch (failure) {
    case 'auth':
      return sshError('auth', t.node, `${t.node}: ${where} refused hydra's login as ${t.user} (tried: ${keys}${t.agentSocket ? ', ssh-agent' : ''})${keyProblems.length ? `; ${keyProblems.join('; ')}` : ''}`, {
        hint: `check that the public key of ${t.identityFiles[0] ?? 'your key'} is in ~${t.user}/.ssh/authorized_keys on ${t.node}, and that ssh.user is right (try: ssh -p ${t.port} -i ${t.identityFiles[0] ?? '~/.ssh/id_ed25519'} ${t.user}@${t.host} true)`,
        details: {user: t.user, host: t.host, port: t.port, identityFiles: t.identityFiles},
      })
    case 'timeout':
      return sshError('timeout', t.node, `${t.node}: no SSH handshake with ${t.host}:${t.port} within ${t.connectTimeoutMs}ms`, {
        hint: `the host is down, blackholed or firewalled on port ${t.port}; raise ssh.connectTimeout if the link is slow`,
      })
    case 'refused':
      return sshError('refused', t.node, `${t.node}: ${t.host}:${t.port} refused the connection (no sshd listening)`, {
        hint: `start sshd on ${t.node}, or fix ssh.port (now ${t.port})`,
      })
    case 'unreachable':
      return sshError('unreachable', t.node, `${t.node}: no route to ${t.host} (${code})`, {hint: 'is the node up and on the network?'})
    case 'dns':
      return sshError('dns', t.node, `${t.node}: cannot resolve ${t.host}`, {hint: 'check the address (or the alias in ~/.ssh/config)'})
    case 'reset':
      return sshError('reset', t.node, `${t.node}: ${t.host}:${t.port} reset the connection`, {hint: 'sshd may limit connections (MaxStartups) or a firewall resets them'})
    default:
      return sshError('ssh', t.node, `${t.node}: SSH to ${t.host}:${t.port} failed: ${redact(error.message)}`, {cause: error})
  }
}

export function commandError(t: SshTarget, result: ExecResult, sudo: boolean): SshError {
  const stderr = redact(result.stderr.trim())
  const firstLine = stderr.split('\n')[0] ?? ''
  const details = {command: result.command, exitCode: result.exitCode, stderr: stderr.slice(0, 500)}
  if (sudo && /sudo: (a password is required|a terminal is required|no tty present)/.test(stderr)) {
    const inner = result.command.replace(/^sudo -n -- /, '')
    const [program, ...rest] = inner.split(' ')
    return sshError('sudo_password', t.node, `${t.node}: sudo wants a password for \`${inner}\` (hydra runs sudo -n and never types one)`, {
      hint: `allow exactly this command without a password, e.g. in /etc/sudoers.d/hydra (edit with visudo): ${t.user} ALL=(root) NOPASSWD: $(command -v ${program}) ${rest.join(' ')}` +
        '; on NixOS via security.sudo.extraRules',
      details,
    })
  }
  const docker = dockerDaemonError(t, result.command, stderr, details)
  if (docker) return docker
  if (result.exitCode === 127) {
    const program = result.command.replace(/^sudo -n -- /, '').split(' ')[0]
    return sshError('command_missing', t.node, `${t.node}: \`${program}\` is not installed or not on the PATH of a non-interactive SSH session`, {
      hint: `install ${program} on ${t.node}, or make it reachable on the PATH sshd gives to ${t.user}`,
      details,
    })
  }
  return sshError('command_failed', t.node, `${t.node}: \`${result.command}\` exited ${result.exitCode ?? `on signal ${result.signal}`}${firstLine ? `: ${firstLine}` : ''}`, {details})
}

/**
 * The docker CLI's answers when it cannot reach its daemon — the node's fault, not the container's.
 * Docker 28 (captured with the Debian CLI): "Cannot connect to the Docker daemon at
 * unix:///var/run/docker.sock. Is the docker daemon running?" and "permission denied while trying
 * to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get …"; Docker 29: "failed
 * to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if
 * the daemon is running: dial unix …: connect: no such file or directory" (or "…: permission denied").
 */
function dockerDaemonError(t: SshTarget, command: string, stderr: string, details: Record<string, unknown>): SshError | undefined {
  if (!/^(sudo -n -- )?docker /.test(command)) return undefined
  const at = /(?:Docker daemon(?: socket)?|docker API) at (\S+?)[.:;]?(?:\s|$)/i.exec(stderr)?.[1] ?? 'its socket'
  if (/permission denied while trying to connect to the docker|failed to connect to the docker API at .*connect: permission denied/i.test(stderr)) {
    return sshError('docker_permission', t.node, `${t.node}: ${t.user} may not use the Docker daemon (permission denied on ${at})`, {
      hint: `add ${t.user} to the docker group on ${t.node} (usermod -aG docker ${t.user}; it counts from the next login, and the group is as good as root), or set ssh.user to a user who has it`,
      details,
    })
  }
  if (/Cannot connect to the Docker daemon at|failed to connect to the docker API at/i.test(stderr)) {
    return sshError('docker_down', t.node, `${t.node}: the Docker daemon is not running (docker cannot connect to ${at}), so no container there can run`, {
      hint: `start it on ${t.node}: systemctl start docker (Unraid: Settings → Docker → Enable Docker), then see why it stopped: journalctl -u docker`,
      details,
    })
  }
  return undefined
}
