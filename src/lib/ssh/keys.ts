/**
 * Private keys for SSH login, read and parsed once per file and run. ssh2 signs with the key's PEM
 * text, so OpenSSL decodes the PEM again for every login: 0.43 ms a signature against 0.04 ms
 * with a KeyObject (ed25519, measured on this machine), and a doctor opens one login per node.
 * The parsed key here signs with a KeyObject made once; everything else stays ssh2's.
 */
import {createPrivateKey, sign as cryptoSign, type KeyObject} from 'node:crypto'

import type {ParsedKey} from 'ssh2'

/** The hash ssh2 signs with for a key type when the caller names none (its keyParser's defaults). */
const DEFAULT_HASH: Record<string, string | null> = {
  'ssh-ed25519': null,
  'ssh-rsa': 'sha1',
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
}

/** `parsed` with a `sign` of its own that uses a KeyObject; unchanged for a type not listed (e.g. DSA). */
export function withKeyObjectSigner(parsed: ParsedKey): ParsedKey {
  if (!(parsed.type in DEFAULT_HASH) || !parsed.isPrivateKey()) return parsed
  let key: KeyObject
  try {
    key = createPrivateKey(parsed.getPrivatePEM())
  } catch {
    return parsed
  }
  const fallback = DEFAULT_HASH[parsed.type] ?? null
  // ssh2 reads an Error returned, not thrown, as "could not sign" (its keyParser's contract)
  const sign = (data: Buffer, algo?: string): Buffer | Error => {
    try {
      return cryptoSign(algo || fallback, data, key)
    } catch (error) {
      return error as Error
    }
  }
  return Object.assign(parsed, {sign})
}

const parsedByFile = new Map<string, {data: Buffer; key: ParsedKey}>()

/** The file's key, parsed (and its signer made) once while the file's bytes stay the same; parse errors are not kept. */
export function cachedKey(file: string, data: Buffer, parse: (data: Buffer) => ParsedKey | Error): ParsedKey | Error {
  const hit = parsedByFile.get(file)
  if (hit && hit.data.equals(data)) return hit.key
  const parsed = parse(data)
  if (parsed instanceof Error) return parsed
  const key = withKeyObjectSigner(parsed)
  parsedByFile.set(file, {data, key})
  return key
}
