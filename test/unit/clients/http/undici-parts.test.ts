import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {UNDICI_PARTS} from '../../../../src/lib/clients/http/undici.js'

const require = createRequire(import.meta.url)

// undici.ts loads undici's Agent by path (its index costs ~0.15 CPU-s per run). It must be the
// very class undici's documented API exports, with the dispatch method the transport calls; an
// undici upgrade that moves or changes it fails here rather than silently taking the slower fallback.
describe('the undici file transport.ts loads by path', () => {
  it('is the Agent of undici’s index, a Dispatcher with dispatch(options, handler)', () => {
    const undici = require('undici')
    const Agent = require(UNDICI_PARTS.agent)
    expect(Agent).toBe(undici.Agent)
    expect(Agent.prototype).toBeInstanceOf(undici.Dispatcher)
    expect(typeof Agent.prototype.dispatch).toBe('function')
  })
})
