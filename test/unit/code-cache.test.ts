/**
 * src/code-cache.ts: the vendored bundles compiled from V8's code cache (start-up, issue 14 item 8).
 * Real V8: caches are written and read back by this very Node; a corrupt one is rejected by V8 and
 * the bundle still loads; files outside the vendor folder are left to Node; the import() hook the
 * bundled oclif calls loads an ES module by its file URL.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {codeCachePath, IMPORT_HOOK, installCodeCache, type CodeCacheHook} from '../../src/code-cache.js'

describe('code cache for dist/vendor bundles', () => {
  let dir: string
  let vendor: string
  let hook: CodeCacheHook | undefined
  const req = createRequire(import.meta.url)
  const load = (file: string): {sum: number; file: string} => {
    delete req.cache[file]
    return req(file) as {sum: number; file: string}
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hydra-code-cache-'))
    vendor = join(dir, 'vendor')
    req('node:fs').mkdirSync(vendor)
    // enough code for V8 to make a real cache, and functions that only run when called
    const body = Array.from({length: 200}, (_, i) => `function f${i}(x) { return x + ${i} }`).join('\n')
    writeFileSync(join(vendor, 'lib.cjs'), `${body}\nmodule.exports = {sum: [${Array.from({length: 200}, (_, i) => `f${i}(1)`).join(', ')}].reduce((a, b) => a + b, 0), file: __filename}\n`)
  })
  afterEach(() => {
    hook?.uninstall()
    hook = undefined
    rmSync(dir, {recursive: true, force: true})
  })

  it('writes a cache for this Node and architecture, then compiles from it', () => {
    const expected = 200 + (199 * 200) / 2
    hook = installCodeCache(vendor, {write: true})
    const lib = join(vendor, 'lib.cjs')
    expect(load(lib)).toEqual({sum: expected, file: lib})
    expect(hook.compiled).toEqual([lib])
    hook.writeCaches()
    hook.uninstall()
    expect(codeCachePath(lib)).toBe(`${lib}.${process.version}-${process.arch}.v8cache`)
    expect(existsSync(codeCachePath(lib))).toBe(true)
    expect(readFileSync(codeCachePath(lib)).length).toBeGreaterThan(1000)

    hook = installCodeCache(vendor)
    expect(load(lib)).toEqual({sum: expected, file: lib})
    expect(hook.fromCache).toEqual([lib])
    expect(hook.compiled).toEqual([])
  })

  it('compiles afresh when V8 rejects the cache (corrupt, or made for other code)', () => {
    const lib = join(vendor, 'lib.cjs')
    writeFileSync(codeCachePath(lib), Buffer.alloc(4096, 7))
    hook = installCodeCache(vendor)
    expect(load(lib).sum).toBe(200 + (199 * 200) / 2)
    expect(hook.fromCache).toEqual([])
    expect(hook.compiled).toEqual([lib])
  })

  it('leaves files outside the vendor folder, and other extensions, to Node', () => {
    const outside = join(dir, 'other.cjs')
    writeFileSync(outside, 'module.exports = {sum: 1, file: __filename}\n')
    const js = join(vendor, 'plain.js')
    writeFileSync(js, 'module.exports = {sum: 2, file: __filename}\n')
    hook = installCodeCache(vendor)
    expect(load(outside).sum).toBe(1)
    expect(load(js).sum).toBe(2)
    expect([...hook.fromCache, ...hook.compiled]).toEqual([])
  })

  it('sets the import() hook the bundled oclif calls, and removes it on uninstall', async () => {
    const esm = join(dir, 'command.mjs')
    writeFileSync(esm, 'export default "loaded"\n')
    hook = installCodeCache(vendor)
    const importHook = (globalThis as Record<symbol, unknown>)[IMPORT_HOOK] as (href: string) => Promise<{default: string}>
    expect((await importHook(pathToFileURL(esm).href)).default).toBe('loaded')
    hook.uninstall()
    hook = undefined
    expect((globalThis as Record<symbol, unknown>)[IMPORT_HOOK]).toBeUndefined()
  })
})
