/**
 * known_hosts, as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed
 * (`|1|base64(salt)|base64(HMAC-SHA1(salt, host))`) host patterns, `[host]:port` for ports other
 * than 22, `*`/`?` wildcards, `!` negations, and the `@revoked` / `@cert-authority` markers.
 * Pure apart from `appendKnownHost`.
 */
import {createHash, createHmac} from 'node:crypto'
import {appendFileSync, existsSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority'
  patterns: string
  keyType: string
  /** the raw key blob */
  key: Buffer
  line: number
}

export type HostKeyVerdict =
  | {status: 'known'; line: number}
  | {status: 'unknown'; otherTypesKnown: string[]}
  | {status: 'changed'; line: number; knownType: string}
  | {status: 'revoked'; line: number}

/** The key type named inside an SSH public key blob: string(type) first (RFC 4253 §6.6). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown'
  const len = blob.readUInt32BE(0)
  if (len === 0 || len > 64 || blob.length < 4 + len) return 'unknown'
  return blob.subarray(4, 4 + len).toString('latin1')
}

/** The fingerprint exactly as OpenSSH prints it: `SHA256:` + unpadded base64 of sha256(blob). */
export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    let marker: KnownHostEntry['marker']
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()
      if (m === '@revoked') marker = 'revoked'
      else if (m === '@cert-authority') marker = 'cert-authority'
      else return // an unknown marker: OpenSSH ignores the line too
    }
    const [patterns, keyType, keyBase64] = fields
    if (!patterns || !keyType || !keyBase64) return
    const key = Buffer.from(keyBase64, 'base64')
    if (key.length === 0) return
    entries.push({marker, patterns, keyType, key, line: i + 1})
  })
  return entries
}

/** OpenSSH's match_pattern: `*` any run, `?` one character, case-insensitive for host names. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|\\[\]]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i')
  return re.test(name)
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|')
  if (magic !== '1' || !salt || !hash) return false
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
  return mac === hash
}

/** Does a comma-separated pattern list match? A matching negation (`!pat`) wins over everything. */
export function hostPatternsMatch(patterns: string, names: string[]): boolean {
  if (patterns.startsWith('|')) return names.some((n) => hashedMatch(patterns, n))
  let matched = false
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!')
    const pat = negated ? p.slice(1) : p
    if (names.some((n) => globMatch(pat, n))) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

/**
 * Check a host's key against the entries. `names` are the names the host is known by, in the
 * form `knownHostName` gives (OpenSSH checks the host name and, with CheckHostIP, its address).
 */
export function checkHostKey(entries: KnownHostEntry[], names: string[], blob: Buffer): HostKeyVerdict {
  const type = keyTypeOfBlob(blob)
  // A revoked key is refused whoever presents it (the host pattern of @revoked lines is usually '*').
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(blob) && hostPatternsMatch(e.patterns, names))
  if (revoked) return {status: 'revoked', line: revoked.line}
  // @cert-authority lines vouch for host certificates; hydra does not verify certificates, so it skips them.
  const forHost = entries.filter((e) => e.marker === undefined && hostPatternsMatch(e.patterns, names))
  const same = forHost.find((e) => e.key.equals(blob))
  if (same) return {status: 'known', line: same.line}
  const sameType = forHost.find((e) => e.keyType === type)
  if (sameType) return {status: 'changed', line: sameType.line, knownType: sameType.keyType}
  return {status: 'unknown', otherTypesKnown: [...new Set(forHost.map((e) => e.keyType))]}
}

export function readKnownHosts(path: string): KnownHostEntry[] {
  if (!existsSync(path)) return []
  return parseKnownHosts(readFileSync(path, 'utf8'))
}

/** The line `accept-new` appends, as `ssh` itself writes it (plain, not hashed). */
export function knownHostLine(name: string, blob: Buffer): string {
  return `${name} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`
}

export function appendKnownHost(path: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  let prefix = ''
  if (existsSync(path)) {
    const current = readFileSync(path, 'utf8')
    if (current.length > 0 && !current.endsWith('\n')) prefix = '\n'
  }
  appendFileSync(path, `${prefix}${knownHostLine(name, blob)}\n`, {mode: 0o600})
}
