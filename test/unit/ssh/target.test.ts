import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../../src/lib/config/schema.js'
import {sshTargetForNode} from '../../../src/lib/ssh/target.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()

const home = tempDir('hydra-home-')
mkdirSync(join(home, '.ssh'))
writeFileSync(join(home, '.ssh', 'config'), 'Host compute\n  HostName 10.9.9.3\n  User ops\n  Port 2222\n  IdentityFile ~/.ssh/compute_key\n\nHost *\n  User fallback\n')
writeFileSync(join(home, '.ssh', 'id_ed25519'), 'x')

const cfg = (nodes: Record<string, unknown>, defaults: Record<string, unknown> = {}) =>
  resolveConfig(ConfigSchema.parse({defaults: {ssh: defaults}, nodes, services: {prometheus: {url: 'http://127.0.0.1:9090'}}}))

describe('sshTargetForNode', () => {
  it('honours ~/.ssh/config for an alias: HostName, User, Port, IdentityFile; known_hosts name [host]:port', () => {
    const c = cfg({a: {address: '10.0.0.3', ssh: {alias: 'compute'}}}, {user: 'typhon'})
    const t = sshTargetForNode(c, c.nodes[0]!, {home, env: {SSH_AUTH_SOCK: '/tmp/agent.sock'}})
    expect(t).toMatchObject({host: '10.9.9.3', port: 2222, user: 'ops', identityFiles: [join(home, '.ssh', 'compute_key')], knownHostNames: ['[10.9.9.3]:2222'], agentSocket: '/tmp/agent.sock'})
    expect(t.knownHostsFile).toBe(join(home, '.ssh', 'known_hosts'))
  })
  it("the node's own settings win over ~/.ssh/config; without a key, the default key files that exist", () => {
    const c = cfg({a: {address: '10.0.0.3', ssh: {alias: 'compute', user: 'root', port: 22, agent: false}}})
    const t = sshTargetForNode(c, c.nodes[0]!, {home, env: {SSH_AUTH_SOCK: '/tmp/agent.sock'}})
    expect(t).toMatchObject({user: 'root', port: 22, knownHostNames: ['10.9.9.3']})
    expect(t.agentSocket).toBeUndefined()
    const plain = cfg({b: {address: '10.0.0.4', ssh: {sshConfig: false}}})
    const tb = sshTargetForNode(plain, plain.nodes[0]!, {home, env: {}})
    expect(tb).toMatchObject({host: '10.0.0.4', user: 'typhon', identityFiles: [join(home, '.ssh', 'id_ed25519')]})
  })
})
