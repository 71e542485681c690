import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {UNDICI_PARTS} from '../../../../src/lib/clients/http/undici.js'

const require = createRequire(import.meta.url)

// undici.ts loads two files of undici by path (its index costs ~0.15 CPU-s per run). They must
// be the very functions undici's documented API exports; an undici upgrade that moves or changes
// them fails here rather than silently taking the slower fallback.
describe('the undici files transport.ts loads by path', () => {
  it('are the Agent and Dispatcher#request of undici’s index', () => {
    const undici = require('undici')
    expect(require(UNDICI_PARTS.agent)).toBe(undici.Agent)
    expect(require(UNDICI_PARTS.request)).toBe(undici.Dispatcher.prototype.request)
  })
})
