/** How the HTTP transport loads undici: the one part it uses (the Agent), and its WebAssembly parser compiled once. */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {setFlagsFromString} from 'node:v8'

import type {Agent as UndiciAgent} from 'undici'

let baselineOnly = false
/**
 * undici parses HTTP with llhttp compiled to WebAssembly, on the first connection. V8 compiles it
 * first with its baseline compiler (Liftoff) and then again, in background threads, with its
 * optimising one; a short run (a backup, a health check) pays for that second compile, and at exit
 * waits for it to finish: 0.2–0.5 s measured here (issue 14 item 8). Liftoff's code parses a few MB
 * of HTTP in well under that, so V8 is told to stop at Liftoff (--liftoff-only).
 *
 * Called before the first connection, not at start-up: once any V8 flag differs from its default,
 * Node compiles each of its own modules loaded after that without the code cache built into it
 * (node:http, node:http2, node:tls, node:assert... loaded with 2.3× the time: 14 → 32 ms for those
 * five, measured on this 2-core machine). By the first request a command's modules are all loaded.
 * The vendored bundles' caches are made with the flag at its default too (code-cache.ts).
 */
export function useBaselineWasmCompiler(): void {
  if (baselineOnly) return
  baselineOnly = true
  // The build's run that writes those caches (scripts/code-cache.mjs) keeps every flag at its
  // default: a cache written after a flag was set is turned away by a run with default flags, even
  // for code compiled before it was set (measured).
  if (process.env.HYDRA_WRITE_CODE_CACHE === '1') return
  setFlagsFromString('--liftoff-only')
}

/** Whether useBaselineWasmCompiler has run (it sets the flag once, and never in the build's cache-writing run). */
export function baselineWasmCompilerAsked(): boolean {
  return baselineOnly
}

// The one piece of undici used here, not its index: that one also loads fetch, WebSocket,
// EventSource, the mock agents, caches, proxies and interceptors, about 0.15 CPU-s on every run
// that makes a request (measured on this 2-core machine: 195-235 ms against 55-95 ms). The
// transport uses the Agent's documented Dispatcher.dispatch(options, handler), the layer undici's
// own request() is built on (transport.ts says why). undici has no `exports` map, so the file loads
// by path; should a later 7.x move it, hydra falls back to the index (slower start, same
// behaviour), and test/unit/clients/http/undici-parts.test.ts fails on the upgrade so it is seen.
const requireUndici = createRequire(import.meta.url)
export const UNDICI_PARTS = {agent: 'undici/lib/dispatcher/agent.js'} as const
// From dist, the Agent as one bundle (scripts/bundle-vendor.mjs), compiled from the code cache
// like the other vendored bundles (src/code-cache.ts); from src (the tests), the files.
const BUNDLE = fileURLToPath(new URL('../../../vendor/undici.cjs', import.meta.url))
export function loadUndici(): {Agent: typeof UndiciAgent} {
  if (existsSync(BUNDLE)) return requireUndici(BUNDLE) as {Agent: typeof UndiciAgent}
  try {
    return {Agent: requireUndici(UNDICI_PARTS.agent)}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
    return {Agent: (requireUndici('undici') as typeof import('undici')).Agent}
  }
}
