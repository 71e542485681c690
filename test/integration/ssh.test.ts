/**
 * Node checks over SSH (issue 5) against the lab's REAL sshd per node, REAL iptables rules in the
 * lab namespace, the REAL exporter processes behind the systemctl shim, and the REAL dockerd:
 * `hydra exporter status`, `firewall check`, `docker logdriver`, `docker logs`, host-key policy,
 * and hostile names, through the built CLI.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, inject, it} from 'vitest'

import {LabControl} from '../lab/control.js'
import {labDocker, labDockerHost} from '../lab/docker.js'
import {variantConfig as variantConfigOf} from '../helpers/config-variant.js'
import {REPO, runHydra, STACK_LINE} from '../helpers/run-hydra.js'

const {configPath, controlUrl, stateDir} = inject('lab')
const lab = new LabControl(controlUrl)
const hydra = (...args: string[]) => runHydra(args)
const scratch = mkdtempSync(join(tmpdir(), 'hydra-ssh-test-'))

const variantConfig = (name: string, change: (doc: any) => void): string => variantConfigOf(configPath, scratch, name, change)

/** The fingerprint as OpenSSH itself prints it for the lab node's host key. */
function opensshFingerprint(node: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(stateDir, 'ssh', node, 'ssh_host_ed25519_key.pub')], {encoding: 'utf8'})
  return out.split(/\s+/)[1]!
}

beforeAll(async () => {
  await lab.reset()
})
afterEach(async () => {
  await lab.reset()
})
afterAll(() => {
  rmSync(scratch, {recursive: true, force: true})
})

describe('hydra exporter status over SSH', () => {
  it('all lab exporters run, listen and serve metrics → exit 0', async () => {
    const r = await hydra('exporter', 'status', '--config', configPath, '--json')
    expect(r.stderr).toBe('')
    const doc = r.json()
    expect(doc.rows.map((x: any) => `${x.id} ${x.managedBy} ${x.state} ${x.listening} ${x.fetch.ok}`)).toEqual([
      'hydra-storage/node process running true true',
      'hydra-storage/cadvisor container running true true',
      'hydra-compute/node systemd running true true',
      'hydra-compute/gpu systemd running true true',
      'hydra-ai/node systemd running true true',
      'hydra-ai/gpu systemd running true true',
    ])
    expect(r.code).toBe(0)
    const compute = doc.rows.find((x: any) => x.id === 'hydra-compute/node')
    const pid = (await lab.component('node-exporter@hydra-compute')).pid
    expect(compute.systemd).toMatchObject({activeState: 'active', subState: 'running', mainPid: pid})
  })

  it('a stopped node exporter is reported inactive with systemctl state, not listening, not fetchable → exit 1 and the restart hint', async () => {
    await lab.stop('node-exporter@hydra-compute')
    const r = await hydra('exporter', 'status', 'hydra-compute', '--config', configPath, '--json')
    expect(r.code).toBe(1)
    const row = r.json().rows.find((x: any) => x.id === 'hydra-compute/node')
    expect(row.state).toMatch(/^(stopped|failed)$/)
    expect(row.systemd.activeState).toMatch(/^(inactive|failed)$/)
    expect(row.systemd.subState).toMatch(/^(dead|failed)$/)
    expect(row.stateDetail).toMatch(/ActiveState=(inactive|failed) SubState=(dead|failed)/)
    expect(row.listening).toBe(false)
    expect(row.fetch.ok).toBe(false)
    expect(row.hint).toContain('sudo systemctl restart prometheus-node-exporter.service')
    // the other exporter on the node is unaffected
    expect(r.json().rows.find((x: any) => x.id === 'hydra-compute/gpu').ok).toBe(true)

    const human = await hydra('exporter', 'status', 'hydra-compute', '--config', configPath)
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/hydra-compute\s+node :9100\s+systemd prometheus-node-exporter.service\s+(stopped|failed)/)
    expect(human.stdout + human.stderr).not.toMatch(STACK_LINE)
  })

  it('an unknown node is a usage error (exit 2)', async () => {
    const r = await hydra('exporter', 'status', 'hydra-nope', '--config', configPath, '--json')
    expect(r.code).toBe(2)
    expect(r.json().error.code).toBe('unknown_node')
  })
})

describe('hydra firewall check against real iptables rules (NixOS-style chains)', () => {
  const dropRule = ['INPUT', '-d', '127.0.0.3/32', '-p', 'tcp', '-m', 'tcp', '--dport', '9100', '-m', 'comment', '--comment', 'hydra test blackhole', '-j', 'DROP']
  afterEach(() => {
    spawnSync('iptables', ['-w', '5', '-D', ...dropRule])
  })

  it('a DROP rule for 127.0.0.3:9100 → BLOCKED naming that rule; removing it → ALLOWED naming the accepting rule', async () => {
    execFileSync('iptables', ['-w', '5', '-I', ...dropRule.slice(0, 1), '1', ...dropRule.slice(1)])
    const blocked = await hydra('firewall', 'check', 'hydra-compute', '--port', '9100', '--config', configPath, '--json')
    expect(blocked.code).toBe(1)
    const b = blocked.json().nodes[0].verdicts[0]
    expect(b).toMatchObject({node: 'hydra-compute', port: 9100, verdict: 'blocked', destination: '127.0.0.3'})
    expect(b.backend).toMatch(/^iptables-(nft|legacy)/)
    expect(b.decidedBy).toBe('-A INPUT -d 127.0.0.3/32 -p tcp -m tcp --dport 9100 -m comment --comment "hydra test blackhole" -j DROP')
    expect(b.hint).toContain('allowedTCPPorts')

    execFileSync('iptables', ['-w', '5', '-D', ...dropRule])
    const allowed = await hydra('firewall', 'check', 'hydra-compute', '--port', '9100', '--config', configPath, '--json')
    expect(allowed.code).toBe(0)
    const a = allowed.json().nodes[0].verdicts[0]
    expect(a.verdict).toBe('allowed')
    expect(a.via).toBe('-A nixos-fw -p tcp -m tcp --dport 9100 -m comment --comment node-exporter -j nixos-fw-accept')
    expect(a.decidedBy).toBe('-A nixos-fw-accept -j ACCEPT')
    expect(a.trace[0]).toBe('-A INPUT -d 127.0.0.3/32 -j nixos-fw')
  })

  it('a port NixOS does not open falls through to nixos-fw-refuse → BLOCKED', async () => {
    const r = await hydra('firewall', 'check', 'hydra-ai', '--port', '9999', '--config', configPath, '--json')
    expect(r.code).toBe(1)
    const v = r.json().nodes[0].verdicts[0]
    expect(v.verdict).toBe('blocked')
    expect(v.decidedBy).toBe('-A nixos-fw-refuse -j DROP')
    expect(v.trace).toContain('-A nixos-fw -j nixos-fw-log-refuse')
  })
})

describe('host keys: strict, accept-new, changed', () => {
  const withKnownHosts = (name: string, policy: string, knownHosts: string) =>
    variantConfig(name, (doc) => {
      doc.defaults.ssh.hostKeys = policy
      doc.defaults.ssh.knownHosts = knownHosts
    })

  it('an unknown key is refused under strict with its OpenSSH fingerprint and what to do', async () => {
    const kh = join(scratch, 'known_hosts_empty_strict')
    writeFileSync(kh, '')
    const r = await hydra('exporter', 'status', 'hydra-compute', '--config', withKnownHosts('strict', 'strict', kh), '--json')
    expect(r.code).toBe(1)
    const row = r.json().rows[0]
    expect(row.state).toBe('unreachable')
    expect(row.error.code).toBe('ssh_host_key_unknown')
    expect(row.error.message).toContain(opensshFingerprint('hydra-compute'))
    expect(row.error.hint).toMatch(/ssh-keyscan .*127\.0\.0\.3/)
    expect(row.error.hint).toContain('accept-new')
    expect(readFileSync(kh, 'utf8')).toBe('')
  })

  it('accept-new records the unknown key and connects; the recorded key is the host key', async () => {
    const kh = join(scratch, 'known_hosts_accept_new')
    writeFileSync(kh, '')
    const r = await hydra('exporter', 'status', 'hydra-compute', '--config', withKnownHosts('accept-new', 'accept-new', kh), '--json')
    expect(r.code).toBe(0)
    const recorded = readFileSync(kh, 'utf8').trim()
    const hostKey = readFileSync(join(stateDir, 'ssh', 'hydra-compute', 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
    expect(recorded).toBe(`127.0.0.3 ${hostKey}`)
    // OpenSSH itself accepts the file hydra wrote
    const lookup = spawnSync('ssh-keygen', ['-F', '127.0.0.3', '-f', kh], {encoding: 'utf8'})
    expect(lookup.status).toBe(0)
  })

  it('a changed key is refused under strict AND accept-new, with the ssh-keygen -R line', async () => {
    const other = join(scratch, 'other_host_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other])
    const kh = join(scratch, 'known_hosts_changed')
    writeFileSync(kh, `127.0.0.3 ${readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}\n`)
    for (const policy of ['strict', 'accept-new']) {
      const r = await hydra('exporter', 'status', 'hydra-compute', '--config', withKnownHosts(`changed-${policy}`, policy, kh), '--json')
      expect(r.code, policy).toBe(1)
      const row = r.json().rows[0]
      expect(row.error.code, policy).toBe('ssh_host_key_changed')
      expect(row.error.message).toContain(opensshFingerprint('hydra-compute'))
      expect(row.error.hint).toContain(`ssh-keygen -R '127.0.0.3' -f ${kh}`)
    }
    // nothing was appended
    expect(readFileSync(kh, 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('a refused login is exit 4 naming the user and the key file, never its contents', async () => {
    const key = join(scratch, 'not_authorized')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const cfg = variantConfig('bad-key', (doc) => {
      doc.defaults.ssh.identityFile = key
    })
    const r = await hydra('exporter', 'status', 'hydra-compute', '--config', cfg, '--json')
    expect(r.code).toBe(4)
    const row = r.json().rows[0]
    expect(row.error.code).toBe('ssh_auth')
    expect(row.error.message).toContain('as root')
    expect(row.error.message).toContain(key)
    const keyBody = readFileSync(key, 'utf8').split('\n')[1]!
    expect(r.stdout).not.toContain(keyBody)
  })
})

describe('hostile names never reach the remote shell as code', () => {
  it('a unit name with shell metacharacters in the config is rejected (exit 2); the payload did not run', async () => {
    const marker = join(scratch, 'pwned-by-unit')
    const cfg = variantConfig('hostile-unit', (doc) => {
      doc.nodes['hydra-compute'].exporters.node.unit = `x.service';touch ${marker};'`
    })
    const r = await hydra('exporter', 'status', 'hydra-compute', '--config', cfg, '--json')
    expect(r.code).toBe(2)
    expect(r.json().error.code).toBe('config_invalid')
    expect(existsSync(marker)).toBe(false)
  })

  it('a unit name that looks like an option reaches systemctl as a unit name (after --), not as an option', async () => {
    const cfg = variantConfig('option-unit', (doc) => {
      doc.nodes['hydra-compute'].exporters.node.unit = '--help'
    })
    const r = await hydra('exporter', 'status', 'hydra-compute', '--config', cfg, '--json')
    const row = r.json().rows.find((x: any) => x.id === 'hydra-compute/node')
    expect(row.systemd.loadState).toBe('not-found')
    expect(row.state).toBe('missing')
  })

  it('container names from the remote `docker ps` with metacharacters are refused by the allow-list; the payload did not run', async () => {
    labDockerHost()
    const marker = join(scratch, 'pwned-by-docker-ps')
    const argvLog = join(scratch, 'docker-argv.log')
    // a `docker` first on the PATH of hydra-storage's sessions: `ps` adds hostile names, the rest is the real docker
    const fake = join(stateDir, 'bin-hydra-storage', 'docker')
    writeFileSync(
      fake,
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nif [ "$1" = ps ]; then /usr/local/bin/docker "$@"; printf '%s\\n' 'evil$(touch ${marker})' "evil';touch ${marker};'" 'evil\`touch ${marker}\`'; exit 0; fi\nexec /usr/local/bin/docker "$@"\n`,
    )
    chmodSync(fake, 0o755)
    try {
      const r = await hydra('docker', 'logdriver', '--node', 'hydra-storage', '--config', configPath, '--json')
      const doc = r.json()
      expect(doc.rejectedNames.map((x: any) => x.name)).toEqual([`evil$(touch ${marker})`, `evil';touch ${marker};'`, `evil\`touch ${marker}\``])
      expect(doc.rows.map((x: any) => x.container).sort()).toEqual(['cadvisor', 'litellm', 'loki', 'qdrant', 'tabbyapi'])
      expect(existsSync(marker)).toBe(false)
      // the hostile names never appeared on a docker command line
      expect(readFileSync(argvLog, 'utf8')).not.toContain('evil')
    } finally {
      rmSync(fake, {force: true})
    }
  })

  it('a hostile container argument is a usage error before any SSH', async () => {
    const marker = join(scratch, 'pwned-by-arg')
    const r = await hydra('docker', 'logs', `loki;touch ${marker}`, '--config', configPath, '--json')
    expect(r.code).toBe(2)
    expect(existsSync(marker)).toBe(false)
  })
})

describe('hydra docker logdriver / logs against the real dockerd', () => {
  it("reports each container's real LogConfig and flags tabbyapi, which the config expects on Loki → exit 1", async () => {
    labDockerHost()
    const r = await hydra('docker', 'logdriver', '--node', 'hydra-storage', '--config', configPath, '--json')
    expect(r.code).toBe(1)
    const rows = r.json().rows
    const real = JSON.parse(labDocker(['inspect', 'tabbyapi', 'loki', 'cadvisor', 'qdrant', 'litellm']).stdout)
    for (const c of real) {
      const row = rows.find((x: any) => x.container === c.Name.slice(1))
      expect(row.driver).toBe(c.HostConfig.LogConfig.Type)
      expect(row.options).toEqual(c.HostConfig.LogConfig.Config)
    }
    expect(rows.find((x: any) => x.container === 'qdrant')).toMatchObject({driver: 'syslog', options: {'syslog-address': 'udp://127.0.0.1:514'}})
    const tabby = rows.find((x: any) => x.container === 'tabbyapi')
    expect(tabby).toMatchObject({driver: 'json-file', lokiExpected: true, ok: false})
    expect(rows.filter((x: any) => !x.ok).map((x: any) => x.container)).toEqual(['tabbyapi'])

    const human = await hydra('docker', 'logdriver', 'tabbyapi', '--node', 'hydra-storage', '--config', configPath)
    expect(human.code).toBe(1)
    expect(human.stdout).toContain('expected to ship its logs to Loki, but uses the json-file driver')
  })

  it('docker logs loki --tail runs on the node the config names (hydra-storage) and returns the real lines', async () => {
    labDockerHost()
    const r = await hydra('docker', 'logs', 'loki', '--tail', '5', '--config', configPath, '--json')
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const doc = r.json()
    expect(doc.node).toBe('hydra-storage')
    expect(doc.stdout).toContain('loki: level=info msg=ready')
    expect(doc.stderr).toContain('loki: level=error msg=example error')
    const missing = await hydra('docker', 'logs', 'nosuchcontainer', '--node', 'hydra-storage', '--config', configPath, '--json')
    expect(missing.code).toBe(2)
    expect(missing.json().error.code).toBe('container_not_found')
  })
})

void REPO

describe('one exec session for a node’s reads (ssh.batch, clients/ssh-batch.ts) on a real sshd', () => {
  // (the lab logs in as root, and sshd refuses session signals to root sessions, which it runs
  // without privilege separation: "session signalling requires privilege separation"; for other
  // users the TERM a given-up batch gets ends its sections, test/unit/clients/ssh-batch.test.ts)
  it('a hung command times out alone on its own budget; the reads batched with it answer at once', async () => {
    const {loadConfig} = await import('../../src/lib/config/loader.js')
    const {SshPool} = await import('../../src/lib/clients/ssh.js')
    const {remoteCommands} = await import('../../src/lib/ssh/commands.js')
    const {config: cfg} = loadConfig({flag: configPath, env: {}})
    const node = cfg.nodes.find((n) => n.name === 'hydra-compute')!
    node.ssh.batch = true
    const pool = new SshPool(cfg)
    const session = pool.session(node)
    await session.connect()
    // a few seconds and no more: sshd will not signal a root session, so the node ends it by itself
    const marker = `5.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}75`
    try {
      const t0 = performance.now()
      const at = <T>(p: Promise<T>) => p.then((r) => ({r, ms: performance.now() - t0}), (e: unknown) => ({r: e as Error & {code?: string}, ms: performance.now() - t0}))
      const [hung, unit, version] = await Promise.all([
        at(session.exec({id: 'sleep', line: `sleep ${marker}`, needsRoot: false}, {timeoutMs: 1500})),
        at(session.exec(remoteCommands.systemdUnitState('prometheus-node-exporter.service'))),
        at(session.exec(remoteCommands.iptablesVersion())),
      ])
      expect((unit.r as {stdout: string}).stdout).toContain('ActiveState=active')
      expect((version.r as {stdout: string}).stdout).toMatch(/^iptables v/)
      expect(unit.ms).toBeLessThan(1500)
      expect((hung.r as {code?: string}).code).toBe('ssh_command_timeout')
      expect(hung.ms).toBeGreaterThanOrEqual(1490)
      expect(hung.ms).toBeLessThan(3000)
    } finally {
      await pool.closeAll()
    }
  })
})
