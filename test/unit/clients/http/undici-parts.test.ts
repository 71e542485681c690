import {createServer} from 'node:http'
import {createRequire} from 'node:module'
import type {AddressInfo} from 'node:net'

import {describe, expect, it} from 'vitest'

import {HttpClient} from '../../../../src/lib/clients/http/transport.js'
import {baselineWasmCompilerAsked, UNDICI_PARTS} from '../../../../src/lib/clients/http/undici.js'

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

// V8's --liftoff-only (undici's WebAssembly parser compiled once) is set before the first
// connection, not when the transport loads: a changed flag costs every Node module loaded after it
// its built-in code cache (undici.ts).
describe('the baseline-only WebAssembly flag', () => {
  it('is not set by loading the transport or making a client, and is set by the first request', async () => {
    const server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const client = new HttpClient({baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5000})
    try {
      expect(baselineWasmCompilerAsked()).toBe(false)
      expect(await client.getText('/')).toBe('ok')
      expect(baselineWasmCompilerAsked()).toBe(true)
    } finally {
      await client.close()
      server.close()
    }
  })
})
