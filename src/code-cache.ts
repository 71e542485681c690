/**
 * Start-up: the vendored bundles (dist/vendor/oclif-core.cjs, which every command loads, zod.cjs and
 * yaml.cjs, which every command reading the config loads, undici.cjs, which every command making a
 * request loads, string-width.cjs and wrap-ansi.cjs, which every command's output loads: 2.3 MB of
 * JavaScript; and command-*.cjs, a command bundled with the modules of dist it reaches,
 * scripts/bundle-commands.mjs) are compiled from V8's code cache, written by the build
 * (scripts/code-cache.mjs), instead of being parsed and compiled again on every run. Measured on
 * this 2-core machine: `hydra config validate` 199 → 158 ms, `hydra targets --help` 131 → 113 ms
 * (bench/startup.ts; `node -e 0` is about 60 ms). Node 22 does this itself
 * (module.enableCompileCache); Node 20, which hydra supports, has only vm.Script's cachedData.
 *
 * Installed by bin/run.js before oclif loads: a CommonJS compile hook for those files only. A cache
 * is used only when it was made by this Node version on this architecture (its file name says
 * which), and V8 checks it again (source, V8 version, flags) and compiles afresh when it does not
 * fit: a missing or stale cache costs nothing but the time it would have saved. V8 turns a cache
 * away when the flags it was compiled under differ: the bundles are compiled, and their caches
 * made, with every flag at its default. hydra's one flag (--liftoff-only,
 * src/lib/clients/http/undici.ts) is set at the first request, once the bundles are compiled, and
 * not at all in the build's run that writes the caches (a cache written after a flag was set is
 * turned away by a run with default flags; putting the flag back first does not help either:
 * --liftoff-only implies other flags that --no-liftoff-only does not undo; both measured).
 * test/commands/package.test.ts checks that the installed package's caches are taken.
 *
 * The bundles make no dynamic import() of their own: scripts/bundle-oclif.mjs points oclif's
 * (it loads each command's ES module) at the hook set here, an import() made in this ES module,
 * since a script compiled through vm.Script has no dynamic-import callback of its own.
 *
 * HYDRA_WRITE_CODE_CACHE=1 (bin/run.js; the build's step, not for users): compile without a cache
 * and, at exit, write each bundle's cache beside it, with every function the run compiled.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {dirname, join, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'

/** The global the bundled oclif calls for import() (scripts/bundle-oclif.mjs writes the same key). */
export const IMPORT_HOOK = Symbol.for('hydra.import')

/** The cache file of one bundle, for this Node version and architecture. */
export function codeCachePath(bundle: string): string {
  return `${bundle}.${process.version}-${process.arch}.v8cache`
}

interface CompilingModule {
  exports: unknown
  _compile(content: string, filename: string): unknown
}

export interface CodeCacheHook {
  /** bundles compiled from their cache, and those compiled afresh (no cache, or V8 rejected it) */
  readonly fromCache: string[]
  readonly compiled: string[]
  /** write the cache of every bundle compiled so far (with every function compiled so far) beside it */
  writeCaches(): void
  uninstall(): void
}

/**
 * Compile dist/vendor/*.cjs from its code cache from now on. `write` (HYDRA_WRITE_CODE_CACHE=1 in
 * bin/run.js): compile afresh and write every cache at exit.
 */
export function installCodeCache(vendorDir = join(dirname(fileURLToPath(import.meta.url)), 'vendor'), options: {write?: boolean} = {}): CodeCacheHook {
  const hooks = globalThis as Record<symbol, unknown>
  hooks[IMPORT_HOOK] = (href: string) => import(href)
  const proto = (Module as unknown as {prototype: CompilingModule}).prototype
  const compile = proto._compile
  const made: [Script, string][] = []
  const fromCache: string[] = []
  const compiled: string[] = []
  const prefix = vendorDir.endsWith(sep) ? vendorDir : vendorDir + sep
  const hooked = function (this: CompilingModule, content: string, filename: string) {
    if (!filename.startsWith(prefix) || !filename.endsWith('.cjs')) return compile.call(this, content, filename)
    const cacheFile = codeCachePath(filename)
    const cachedData = !options.write && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
    const script = new Script((Module as unknown as {wrap(s: string): string}).wrap(content), {filename, ...(cachedData ? {cachedData} : {})})
    ;(cachedData && !script.cachedDataRejected ? fromCache : compiled).push(filename)
    made.push([script, cacheFile])
    const wrapper = script.runInThisContext({displayErrors: true}) as (...args: unknown[]) => unknown
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename))
  }
  proto._compile = hooked
  const writeCaches = () => made.forEach(([script, file]) => writeFileSync(file, script.createCachedData()))
  if (options.write) process.once('exit', writeCaches)
  return {
    fromCache,
    compiled,
    writeCaches,
    uninstall() {
      if (proto._compile === hooked) proto._compile = compile
      if (options.write) process.off('exit', writeCaches)
      delete hooks[IMPORT_HOOK]
    },
  }
}
