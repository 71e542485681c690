// The build's last step: V8 code caches for dist/vendor/*.cjs (src/code-cache.ts loads them). One
// run of `hydra health` (HYDRA_WRITE_CODE_CACHE=1) on a config whose only service is a stub HTTP
// server this script starts on 127.0.0.1 (an ephemeral port: nothing leaves the machine): it loads
// the config (zod, yaml), dispatches through oclif and makes a request (undici). Each bundle's
// cache holds every function that run compiled; a function it did not need is compiled when first
// called, as without a cache. Caches are made for this Node version and architecture only; another
// Node compiles the bundles as before.
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const vendor = join(root, 'dist/vendor')
const dir = mkdtempSync(join(tmpdir(), 'hydra-code-cache-'))
const server = createServer((req, res) => res.writeHead(200, {'content-type': 'text/plain'}).end('Prometheus Server is Ready.\n'))
try {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const config = join(dir, 'hydra.yaml')
  writeFileSync(config, `cluster: build\nnodes:\n  a: {address: 127.0.0.1}\nservices:\n  prometheus: {url: "http://127.0.0.1:${server.address().port}"}\n`)
  const env = {...process.env, HYDRA_WRITE_CODE_CACHE: '1', NO_COLOR: '1'}
  delete env.HYDRA_CONFIG
  // the exit code is the health verdict, not this step's: only the caches written count
  await new Promise((resolve) => execFile(process.execPath, [join(root, 'bin/run.js'), 'health', '--config', config, '--timeout', '10s'], {cwd: dir, env, timeout: 60_000}, resolve))
} finally {
  server.close()
  rmSync(dir, {recursive: true, force: true})
}
const suffix = `.${process.version}-${process.arch}.v8cache`
const bundles = readdirSync(vendor).filter((n) => n.endsWith('.cjs'))
const missing = bundles.filter((n) => !existsSync(join(vendor, n + suffix)))
if (missing.length) throw new Error(`code-cache: no cache written for ${missing.join(', ')}`)
const size = bundles.reduce((sum, n) => sum + statSync(join(vendor, n + suffix)).size, 0)
console.log(`dist/vendor: V8 code caches for ${bundles.join(', ')} (${process.version} ${process.arch}, ${(size / 1048576).toFixed(1)} MiB)`)
