// The build's last step: V8 code caches for dist/vendor/*.cjs (src/code-cache.ts loads them). One
// run of `hydra config validate` on a small loopback config (files only, no network) with
// HYDRA_WRITE_CODE_CACHE=1: each bundle's cache holds every function that run compiled: oclif's
// start-up and command dispatch, the config schema, the YAML parser. A function the run did not
// need is compiled when first called, as without a cache. Caches are made for this Node version and
// architecture only; another Node compiles the bundles as before.
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const vendor = join(root, 'dist/vendor')
const dir = mkdtempSync(join(tmpdir(), 'hydra-code-cache-'))
try {
  const config = join(dir, 'hydra.yaml')
  writeFileSync(config, 'cluster: build\nnodes:\n  a: {address: 127.0.0.1}\nservices:\n  prometheus: {url: "http://127.0.0.1:9090"}\n')
  const env = {...process.env, HYDRA_WRITE_CODE_CACHE: '1', NO_COLOR: '1'}
  delete env.HYDRA_CONFIG
  execFileSync(process.execPath, [join(root, 'bin/run.js'), 'config', 'validate', '--config', config], {cwd: dir, env, stdio: 'ignore'})
} finally {
  rmSync(dir, {recursive: true, force: true})
}
const suffix = `.${process.version}-${process.arch}.v8cache`
const bundles = readdirSync(vendor).filter((n) => n.endsWith('.cjs'))
const missing = bundles.filter((n) => !existsSync(join(vendor, n + suffix)))
if (missing.length) throw new Error(`code-cache: no cache written for ${missing.join(', ')}`)
const size = bundles.reduce((sum, n) => sum + statSync(join(vendor, n + suffix)).size, 0)
console.log(`dist/vendor: V8 code caches for ${bundles.join(', ')} (${process.version} ${process.arch}, ${(size / 1048576).toFixed(1)} MiB)`)
