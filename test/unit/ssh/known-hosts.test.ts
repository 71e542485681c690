import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {verifyHostKey} from '../../../src/lib/ssh/failures.js'
import {checkHostKey, fingerprintOfBlob, hostPatternsMatch, keyTypeOfBlob, knownHostName, parseKnownHosts} from '../../../src/lib/ssh/known-hosts.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()

const FIX = join(import.meta.dirname, '../../fixtures/ssh')
const pub = readFileSync(join(FIX, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/)
const blob = Buffer.from(pub[1]!, 'base64')
const otherBlob = Buffer.from(blob)
otherBlob.writeUInt8(otherBlob.readUInt8(otherBlob.length - 1) ^ 0xff, otherBlob.length - 1)

describe('host key blobs', () => {
  it('type and fingerprint exactly as ssh-keygen -l prints them', () => {
    expect(keyTypeOfBlob(blob)).toBe('ssh-ed25519')
    const expected = readFileSync(join(FIX, 'host_ed25519.fingerprint.txt'), 'utf8').split(/\s+/)[1]
    expect(fingerprintOfBlob(blob)).toBe(expected)
  })
  it('names hosts as known_hosts does', () => {
    expect(knownHostName('10.0.0.1', 22)).toBe('10.0.0.1')
    expect(knownHostName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222')
  })
})

describe('known_hosts matching', () => {
  it('plain, hashed (ssh-keygen -H output), wildcard and negated patterns', () => {
    const hashed = readFileSync(join(FIX, 'known_hosts_hashed'), 'utf8').trim().split(/\s+/)[0]!
    expect(hostPatternsMatch(hashed, ['127.0.0.3'])).toBe(true)
    expect(hostPatternsMatch(hashed, ['127.0.0.4'])).toBe(false)
    expect(hostPatternsMatch('a,127.0.0.*', ['127.0.0.9'])).toBe(true)
    expect(hostPatternsMatch('127.0.0.*,!127.0.0.9', ['127.0.0.9'])).toBe(false)
    expect(hostPatternsMatch('[127.0.0.3]:2222', ['127.0.0.3'])).toBe(false)
  })
  it('known, changed, unknown (other types known), revoked; cert-authority lines skipped', () => {
    const line = (hosts: string, b: Buffer, type = 'ssh-ed25519') => `${hosts} ${type} ${b.toString('base64')}`
    const entries = parseKnownHosts(
      [
        '# comment',
        line('host-a', blob),
        line('host-b', otherBlob),
        `host-c ecdsa-sha2-nistp256 ${Buffer.from('x').toString('base64')}`,
        `@cert-authority * ${line('', otherBlob).trim()}`,
        `@revoked * ssh-ed25519 ${otherBlob.toString('base64')}`,
        '@unknown-marker host-a ssh-ed25519 AAAA',
      ].join('\n'),
    )
    expect(checkHostKey(entries, ['host-a'], blob)).toEqual({status: 'known', line: 2})
    expect(checkHostKey(entries, ['host-b'], blob)).toEqual({status: 'changed', line: 3, knownType: 'ssh-ed25519'})
    expect(checkHostKey(entries, ['host-c'], blob)).toEqual({status: 'unknown', otherTypesKnown: ['ecdsa-sha2-nistp256']})
    expect(checkHostKey(entries, ['host-z'], otherBlob)).toEqual({status: 'revoked', line: 6})
  })
})

describe('host key policy', () => {
  const dir = tempDir('hydra-kh-')
  it('strict refuses unknown and leaves the file alone; accept-new appends; both refuse changed; off accepts', () => {
    const kh = join(dir, 'known_hosts')
    writeFileSync(kh, '')
    const t = (policy: 'strict' | 'accept-new' | 'off') => ({hostKeys: policy, knownHostsFile: kh, knownHostNames: ['[10.0.0.1]:2222']})
    expect(verifyHostKey(t('strict'), blob).accept).toBe(false)
    expect(readFileSync(kh, 'utf8')).toBe('')
    expect(verifyHostKey(t('accept-new'), blob).accept).toBe(true)
    expect(readFileSync(kh, 'utf8')).toBe(`[10.0.0.1]:2222 ssh-ed25519 ${pub[1]}\n`)
    expect(verifyHostKey(t('strict'), blob)).toMatchObject({accept: true, verdict: {status: 'known'}})
    expect(verifyHostKey(t('strict'), otherBlob)).toMatchObject({accept: false, verdict: {status: 'changed'}})
    expect(verifyHostKey(t('accept-new'), otherBlob)).toMatchObject({accept: false, verdict: {status: 'changed'}})
    expect(verifyHostKey(t('off'), otherBlob).accept).toBe(true)
  })
})
