import {describe, expect, it} from 'vitest'

import {AuthError, ExitCode} from '../../../src/lib/errors.js'
import {isAuthFailure, isSshError, SshAuthError, sshError, SshOperationError} from '../../../src/lib/ssh/errors.js'

describe('ssh errors', () => {
  it.each(['auth', 'key_file'] as const)('%s is an AuthError, exit 4, the same type HTTP 401 uses', (failure) => {
    const e = sshError(failure, 'hydra-ai', 'refused')
    expect(e).toBeInstanceOf(SshAuthError)
    expect(e).toBeInstanceOf(AuthError)
    expect(e.exitCode).toBe(ExitCode.AUTH)
    expect(e.code).toBe(`ssh_${failure}`)
    expect(e.toJSON()).toMatchObject({details: {failure, node: 'hydra-ai'}})
    expect(isAuthFailure(failure)).toBe(true)
  })

  it.each(['refused', 'timeout', 'host_key_changed', 'command_failed'] as const)('%s is exit 1', (failure) => {
    const e = sshError(failure, 'hydra-ai', 'x', {hint: 'h', details: {port: 22}})
    expect(e).toBeInstanceOf(SshOperationError)
    expect(e).not.toBeInstanceOf(AuthError)
    expect(e.exitCode).toBe(ExitCode.FAILURE)
    expect(e.hint).toBe('h')
    expect(e.toJSON()).toMatchObject({details: {failure, node: 'hydra-ai', port: 22}})
  })

  it('isSshError knows both kinds and nothing else', () => {
    expect(isSshError(sshError('auth', 'n', 'm'))).toBe(true)
    expect(isSshError(sshError('dns', 'n', 'm'))).toBe(true)
    expect(isSshError(new AuthError('m'))).toBe(false)
  })
})
