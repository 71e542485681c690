import {describe, expect, it} from 'vitest'

import {canaryExitCode} from '../../../src/lib/loki/canary.js'

describe('canaryExitCode (the exit policy of hydra loki canary)', () => {
  it('is 0 when the line came back, 1 when it did not, whatever the cause', () => {
    expect(canaryExitCode(true)).toBe(0)
    expect(canaryExitCode(false)).toBe(1)
  })
})
