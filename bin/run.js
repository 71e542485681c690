#!/usr/bin/env node
// `hydra --version` (and -v) answers before oclif loads: the version and the commit baked in at
// build time (dist/build-info.js), in oclif's user-agent shape plus the commit.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const {BUILD} = await import('../dist/build-info.js')
  process.stdout.write(`hydra/${version} (commit ${BUILD.commit}${BUILD.dirty ? '+dirty' : ''}) ${process.platform}-${process.arch} node-${process.version}\n`)
  process.exit(0)
}
// File work (a backup reads back every file it wrote, 64 at a time, before it publishes them) runs on
// libuv's thread pool, 4 threads by default; it must be sized before its first use, so before oclif
// loads. (The files themselves are written by the backup's own writer thread: file-writer.ts.)
process.env.UV_THREADPOOL_SIZE ??= '16'
// No V8 flag is set here: with any flag changed, Node compiles its own modules without the code
// cache built into it, and V8 turns away the vendored bundles' caches (made with default flags).
// The one flag hydra sets (--liftoff-only, for undici's WebAssembly parser) waits for the first
// request: src/lib/clients/http/undici.ts.
// the vendored bundles (oclif, zod, yaml, undici, string-width, wrap-ansi) compiled from the V8 code cache the build wrote (dist/code-cache.js)
const {installCodeCache} = await import('../dist/code-cache.js')
installCodeCache(undefined, {write: process.env.HYDRA_WRITE_CODE_CACHE === '1'})
// oclif from the one-file bundle the build writes (scripts/bundle-oclif.mjs): one file to resolve and
// compile instead of about 120, which was most of what `hydra <command> --help` cost
const {createRequire} = await import('node:module')
const {execute} = createRequire(import.meta.url)('#oclif-core')

await execute({dir: import.meta.url})
// The command has returned and printed its result (writes to pipes and files are synchronous on
// Linux). Do not let a straggling socket — a request still in flight past doctor's deadline, an SSH
// connection closing — hold the process open: exit now, with the code the command set.
process.exit()
