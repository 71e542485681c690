import {readFileSync} from 'node:fs'

import {UserError} from './errors.js'

/**
 * Secrets are never written in the config: the config names an environment variable or a file.
 * Every value resolved here is remembered so that `redact()` can scrub it from anything printed,
 * logged or written (defence in depth: the code also never puts secrets into messages on purpose).
 */

export interface SecretRef {
  env?: string
  file?: string
}

const known = new Set<string>()
/** what redact() looks for (each secret and its base64 form, longest first), made again only when a secret is added */
let needles: string[] | undefined

/** A short, safe description of where a secret comes from, e.g. `$HYDRA_GRAFANA_TOKEN` or `file /etc/hydra/token`. */
export function describeSecretRef(ref: SecretRef): string {
  if (ref.env) return `$${ref.env}`
  if (ref.file) return `file ${ref.file}`
  return '(none)'
}

/**
 * Read a secret. Throws a UserError (exit 2) naming the reference, never the value, when it is
 * missing or empty.
 */
export function resolveSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): string {
  let value: string | undefined
  if (ref.env) {
    value = env[ref.env]
    if (value === undefined || value === '') {
      throw new UserError(`${what}: environment variable ${ref.env} is ${value === '' ? 'set but empty' : 'not set'}`, {
        code: 'secret_missing',
        hint: `export ${ref.env}=… (or point the config at a file with ${what.includes('password') ? 'passwordFile' : 'tokenFile'})`,
      })
    }
  } else if (ref.file) {
    try {
      value = readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error'
      throw new UserError(`${what}: cannot read secret file ${ref.file} (${code})`, {code: 'secret_missing'})
    }
    if (value === '') throw new UserError(`${what}: secret file ${ref.file} is empty`, {code: 'secret_missing'})
  } else {
    throw new UserError(`${what}: no secret reference given`, {code: 'secret_missing'})
  }
  registerSecret(value)
  return value
}

export function registerSecret(value: string): void {
  // Very short values would make redaction shred ordinary text; they are also not credible secrets.
  if (value.length >= 4 && !known.has(value)) {
    known.add(value)
    needles = undefined
  }
}

/** Replace every known secret (and its base64 form, as used in basic auth) with `***`, longest first so that no part of a longer secret survives. */
export function redact(text: string): string {
  if (known.size === 0 || !text) return text
  needles ??= [...known].flatMap((s) => [s, Buffer.from(s).toString('base64')]).sort((a, b) => b.length - a.length)
  let out = text
  for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join('***')
  return out
}

/** Remove user:password@ from a URL so it can be shown. */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(String(url))
    u.username = ''
    u.password = ''
    return redact(u.toString())
  } catch {
    return redact(String(url))
  }
}

/** For tests: forget every registered secret. */
export function forgetSecrets(): void {
  known.clear()
  needles = undefined
}
