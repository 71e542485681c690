import {afterEach, describe, expect, it} from 'vitest'

import {authorizationHeader} from '../../../../src/lib/clients/http/auth.js'
import {forgetSecrets, redact} from '../../../../src/lib/secrets.js'

afterEach(() => {
  delete process.env.HYDRA_TEST_AUTH_TOKEN
  delete process.env.HYDRA_TEST_AUTH_PASSWORD
  forgetSecrets()
})

describe('authorizationHeader', () => {
  it('no auth block: no header', () => {
    expect(authorizationHeader(undefined, 'grafana')).toBeNull()
  })

  it('bearer from an env var', () => {
    process.env.HYDRA_TEST_AUTH_TOKEN = 'tok-123'
    expect(authorizationHeader({tokenEnv: 'HYDRA_TEST_AUTH_TOKEN'}, 'grafana')).toBe('Bearer tok-123')
    expect(redact('echo tok-123')).toBe('echo ***')
  })

  it('basic (implied by a password) registers the pair and its base64 for redaction', () => {
    process.env.HYDRA_TEST_AUTH_PASSWORD = 'pw-456'
    const header = authorizationHeader({username: 'admin', passwordEnv: 'HYDRA_TEST_AUTH_PASSWORD'}, 'prometheus')
    const encoded = Buffer.from('admin:pw-456').toString('base64')
    expect(header).toBe(`Basic ${encoded}`)
    expect(redact(`got ${encoded}`)).not.toContain(encoded)
  })

  it('a missing secret names the service', () => {
    expect(() => authorizationHeader({type: 'bearer', tokenEnv: 'HYDRA_TEST_AUTH_TOKEN'}, 'loki')).toThrow(/loki bearer token/)
  })
})
