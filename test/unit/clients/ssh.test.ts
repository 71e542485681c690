/**
 * The SSH client's pure decisions, no sshd: how a failed connection is named (refused login → an
 * AuthError, exit 4; a changed host key → never accepted, with the command that fixes it), how a
 * failed command is named, and how many nodes are talked to at once.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {mapWithConcurrency, SshSession, type ExecResult} from '../../../src/lib/clients/ssh.js'
import {classifyConnectError} from '../../../src/lib/ssh/failures.js'
import {AuthError} from '../../../src/lib/errors.js'
import {SshAuthError, SshOperationError} from '../../../src/lib/ssh/errors.js'
import {fingerprintOfBlob} from '../../../src/lib/ssh/known-hosts.js'
import type {SshTarget} from '../../../src/lib/ssh/target.js'

const FIX = join(import.meta.dirname, '../../fixtures/ssh')
const blob = Buffer.from(readFileSync(join(FIX, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/)[1]!, 'base64')

const target: SshTarget = {
  node: 'hydra-ai',
  host: '127.0.0.4',
  port: 2222,
  user: 'typhon',
  identityFiles: ['/home/typhon/.ssh/id_ed25519'],
  hostKeys: 'strict',
  knownHostsFile: '/home/typhon/.ssh/known_hosts',
  knownHostNames: ['[127.0.0.4]:2222'],
  connectTimeoutMs: 5000,
  commandTimeoutMs: 20_000,
  sudo: false,
}

const err = (message: string, extra: {level?: string; code?: string} = {}) => Object.assign(new Error(message), extra)

describe('classifyConnectError: a failed connection, named by its cause', () => {
  it('a refused login is an SshAuthError (an AuthError, exit 4) naming the user, the keys tried and how to check', () => {
    const e = classifyConnectError(target, err('All configured authentication methods failed', {level: 'client-authentication'}), undefined, ['key /x is not readable'])
    expect(e).toBeInstanceOf(SshAuthError)
    expect(e).toBeInstanceOf(AuthError)
    expect(e.exitCode).toBe(4)
    expect(e.code).toBe('ssh_auth')
    expect(e.message).toBe("hydra-ai: typhon@127.0.0.4:2222 refused hydra's login as typhon (tried: /home/typhon/.ssh/id_ed25519); key /x is not readable")
    expect(e.hint).toContain('ssh -p 2222 -i /home/typhon/.ssh/id_ed25519 typhon@127.0.0.4 true')
  })

  it.each([
    [err('Timed out while waiting for handshake', {level: 'client-timeout'}), 'timeout', /no SSH handshake with 127\.0\.0\.4:2222 within 5000ms/],
    [err('connect ETIMEDOUT', {code: 'ETIMEDOUT'}), 'timeout', /within 5000ms/],
    [err('connect ECONNREFUSED', {code: 'ECONNREFUSED'}), 'refused', /refused the connection \(no sshd listening\)/],
    [err('connect EHOSTUNREACH', {code: 'EHOSTUNREACH'}), 'unreachable', /no route to 127\.0\.0\.4 \(EHOSTUNREACH\)/],
    [err('getaddrinfo ENOTFOUND', {code: 'ENOTFOUND'}), 'dns', /cannot resolve 127\.0\.0\.4/],
    [err('read ECONNRESET', {code: 'ECONNRESET'}), 'reset', /reset the connection/],
    [err('Protocol error: bad packet length'), 'ssh', /SSH to 127\.0\.0\.4:2222 failed: Protocol error: bad packet length/],
  ])('%s → ssh_%s, exit 1', (error, failure, message) => {
    const e = classifyConnectError(target, error, undefined, [])
    expect(e).toBeInstanceOf(SshOperationError)
    expect(e.exitCode).toBe(1)
    expect(e.code).toBe(`ssh_${failure}`)
    expect(e.message).toMatch(message)
  })

  it('a host key that CHANGED is refused and named with its fingerprint, the known_hosts line and the ssh-keygen -R that removes the old one', () => {
    const e = classifyConnectError(target, err('Host denied (verification failed)'), {verdict: {status: 'changed', line: 7, knownType: 'ssh-ed25519'}, blob}, [])
    expect(e.code).toBe('ssh_host_key_changed')
    expect(e.exitCode).toBe(1)
    expect(e.message).toContain(`it is now ${fingerprintOfBlob(blob)}, which does not match /home/typhon/.ssh/known_hosts:7`)
    expect(e.hint).toBe("if the change is expected, remove the old key with: ssh-keygen -R '[127.0.0.4]:2222' -f /home/typhon/.ssh/known_hosts (then connect again to record the new one)")
  })

  it('an unknown host key is refused under strict, with the ssh-keyscan that records it and the accept-new alternative', () => {
    const e = classifyConnectError(target, err('Host denied (verification failed)'), {verdict: {status: 'unknown', otherTypesKnown: ['ssh-rsa']}, blob}, [])
    expect(e.code).toBe('ssh_host_key_unknown')
    expect(e.message).toContain('(keys of other types are known: ssh-rsa)')
    expect(e.hint).toContain('ssh-keyscan -p 2222 -t ssh-ed25519 127.0.0.4 >> /home/typhon/.ssh/known_hosts')
    expect(e.hint).toContain('ssh.hostKeys: accept-new')
  })

  it('a revoked host key is refused outright', () => {
    const e = classifyConnectError(target, err('Host denied (verification failed)'), {verdict: {status: 'revoked', line: 2}, blob}, [])
    expect(e.code).toBe('ssh_host_key_revoked')
    expect(e.hint).toMatch(/do not connect/)
  })

  it('a known host key never turns another failure into a host-key error', () => {
    const e = classifyConnectError(target, err('connect ECONNREFUSED', {code: 'ECONNREFUSED'}), {verdict: {status: 'known', line: 1}, blob}, [])
    expect(e.code).toBe('ssh_refused')
  })
})

describe('SshSession.errorFor: a command that failed on the node, named', () => {
  const session = new SshSession(target)
  const result = (over: Partial<ExecResult>): ExecResult => ({command: 'ss -ltn', stdout: '', stderr: '', exitCode: 1, elapsedMs: 5, ...over})

  it('sudo asking for a password → ssh_sudo_password, with the sudoers line that allows exactly that command', () => {
    const e = session.errorFor(result({command: 'sudo -n -- iptables -S', stderr: 'sudo: a password is required\n'}), true)
    expect(e.code).toBe('ssh_sudo_password')
    expect(e.message).toBe('hydra-ai: sudo wants a password for `iptables -S` (hydra runs sudo -n and never types one)')
    expect(e.hint).toContain('typhon ALL=(root) NOPASSWD: $(command -v iptables) -S')
  })

  it('exit 127 → ssh_command_missing naming the program', () => {
    const e = session.errorFor(result({command: 'nft -j list ruleset', exitCode: 127, stderr: 'bash: nft: command not found'}), false)
    expect(e.code).toBe('ssh_command_missing')
    expect(e.message).toContain('`nft` is not installed')
  })

  // the docker CLI's words when its daemon is out of reach: 28.2.2 as captured here (Debian docker.io), 29's as reported
  const DOCKER_28_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n'
  const DOCKER_28_DENIED =
    'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/containers/cadvisor/json": dial unix /var/run/docker.sock: connect: permission denied\n'
  const DOCKER_29_DOWN = 'failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory\n'
  const inspect = "docker inspect --format '{{json .State}}' -- 'cadvisor'"

  it("the Docker daemon down → ssh_docker_down: the node's daemon, started how, not the container", () => {
    for (const stderr of [DOCKER_28_DOWN, DOCKER_29_DOWN]) {
      const e = session.errorFor(result({command: inspect, stderr}), false)
      expect(e.code).toBe('ssh_docker_down')
      expect(e.message).toBe('hydra-ai: the Docker daemon is not running (docker cannot connect to unix:///var/run/docker.sock), so no container there can run')
      expect(e.hint).toMatch(/^start it on hydra-ai: systemctl start docker \(Unraid: Settings → Docker → Enable Docker\)/)
    }
    expect(session.errorFor(result({command: `sudo -n -- ${inspect}`, stderr: DOCKER_28_DOWN}), true).code).toBe('ssh_docker_down')
  })

  it("the Docker socket refusing hydra's user → ssh_docker_permission: the docker group, or another ssh.user", () => {
    const e = session.errorFor(result({command: "docker ps -a --format '{{.Names}}'", stderr: DOCKER_28_DENIED}), false)
    expect(e.code).toBe('ssh_docker_permission')
    expect(e.message).toBe('hydra-ai: typhon may not use the Docker daemon (permission denied on unix:///var/run/docker.sock)')
    expect(e.hint).toContain('usermod -aG docker typhon')
    const v29 = session.errorFor(result({command: inspect, stderr: DOCKER_29_DOWN.replace('no such file or directory', 'permission denied')}), false)
    expect(v29.code).toBe('ssh_docker_permission')
  })

  it("docker's words from another program are that program's failure", () => {
    expect(session.errorFor(result({command: 'ss -ltn', stderr: DOCKER_28_DOWN}), false).code).toBe('ssh_command_failed')
  })

  it('any other exit → ssh_command_failed with the first stderr line; a signal is named', () => {
    const e = session.errorFor(result({stderr: 'first line\nsecond line', exitCode: 2}), false)
    expect(e.code).toBe('ssh_command_failed')
    expect(e.message).toBe('hydra-ai: `ss -ltn` exited 2: first line')
    expect(session.errorFor(result({exitCode: null, signal: 'KILL'}), false).message).toBe('hydra-ai: `ss -ltn` exited on signal KILL')
  })
})

describe('mapWithConcurrency: nodes talked to a few at a time, results in order', () => {
  it('never runs more than the limit at once and keeps the input order', async () => {
    let running = 0
    let most = 0
    const out = await mapWithConcurrency([30, 5, 20, 1, 10, 2], 2, async (ms, i) => {
      running++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, ms))
      running--
      return `${i}:${ms}`
    })
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:2'])
    expect(most).toBe(2)
  })
})
