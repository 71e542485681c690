/**
 * The Authorization header from a config `auth` block: basic (username + password) or bearer
 * (token), the secret read from its env var or file only when first needed. The secret and every
 * form of it a server could echo back are registered for redaction.
 */
import type {AuthConfig} from '../../config/schema.js'
import {registerSecret, resolveSecret} from '../../secrets.js'

/** `who` names the service in a missing-secret message (e.g. "grafana"). null: no auth configured. */
export function authorizationHeader(auth: AuthConfig | undefined, who: string): string | null {
  if (!auth) return null
  const hasPassword = auth.passwordEnv !== undefined || auth.passwordFile !== undefined
  const type = auth.type ?? (hasPassword || auth.username ? 'basic' : 'bearer')
  if (type === 'basic') {
    const password = resolveSecret({env: auth.passwordEnv, file: auth.passwordFile}, `${who} password`)
    const pair = `${auth.username ?? ''}:${password}`
    const encoded = Buffer.from(pair).toString('base64')
    // the encoded pair is what a server would echo back; redact() only knows the bare password
    registerSecret(pair)
    registerSecret(encoded)
    return `Basic ${encoded}`
  }
  const token = resolveSecret({env: auth.tokenEnv, file: auth.tokenFile}, `${who} bearer token`)
  return `Bearer ${token}`
}
