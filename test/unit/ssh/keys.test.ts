/**
 * Login keys are parsed once per file and sign with a KeyObject: every signature must still be
 * the one ssh2's own signer makes (same key, same hash), or sshd refuses the login.
 */
import {describe, expect, it} from 'vitest'
import ssh2 from 'ssh2'

import {cachedKey, withKeyObjectSigner} from '../../../src/lib/ssh/keys.js'

const {utils} = ssh2
const parse = (pem: string) => {
  const k = utils.parseKey(pem)
  if (k instanceof Error) throw k
  return k
}

describe('withKeyObjectSigner', () => {
  const data = Buffer.from('session id and userauth request')
  const cases: [string, 'ed25519' | 'rsa' | 'ecdsa', Record<string, unknown>, (string | undefined)[]][] = [
    ['ed25519', 'ed25519', {}, [undefined]],
    ['rsa', 'rsa', {bits: 2048}, [undefined, 'sha256', 'sha512']],
    ['ecdsa p256', 'ecdsa', {bits: 256}, [undefined]],
    ['ecdsa p384', 'ecdsa', {bits: 384}, [undefined]],
  ]
  for (const [label, type, opts, algos] of cases)
    it(`${label}: signs what ssh2's signer signs, verified by the public key`, () => {
      const pair = (utils.generateKeyPairSync as (t: string, o: object) => {private: string})(type, opts)
      const theirs = parse(pair.private)
      const ours = withKeyObjectSigner(parse(pair.private))
      expect(ours.sign).not.toBe(theirs.sign)
      for (const algo of algos) {
        const sig = ours.sign(data, algo)
        expect(sig).toBeInstanceOf(Buffer)
        expect(theirs.verify(data, sig, algo)).toBe(true)
        // ed25519 and RSA signatures are deterministic: byte for byte ssh2's
        if (type !== 'ecdsa') expect(sig.equals(theirs.sign(data, algo))).toBe(true)
      }
    })

  it('returns an Error, as ssh2\'s signer does, when the hash is not one OpenSSL knows', () => {
    const ours = withKeyObjectSigner(parse(utils.generateKeyPairSync('rsa', {bits: 2048}).private))
    expect(ours.sign(data, 'no-such-hash')).toBeInstanceOf(Error)
  })
})

describe('cachedKey', () => {
  const a = Buffer.from(utils.generateKeyPairSync('ed25519').private)
  const b = Buffer.from(utils.generateKeyPairSync('ed25519').private)

  it('parses a file once while its bytes stay the same, again when they change', () => {
    let parses = 0
    const count = (d: Buffer) => (parses++, utils.parseKey(d))
    const first = cachedKey('/keys/id_a', a, count)
    expect(cachedKey('/keys/id_a', Buffer.from(a), count)).toBe(first)
    expect(parses).toBe(1)
    const changed = cachedKey('/keys/id_a', b, count)
    expect(changed).not.toBe(first)
    expect(parses).toBe(2)
  })

  it('does not keep a parse error', () => {
    let parses = 0
    const bad = Buffer.from('not a key')
    const count = (d: Buffer) => (parses++, utils.parseKey(d))
    expect(cachedKey('/keys/id_bad', bad, count)).toBeInstanceOf(Error)
    expect(cachedKey('/keys/id_bad', bad, count)).toBeInstanceOf(Error)
    expect(parses).toBe(2)
  })
})
