// The build's last step: V8 code caches for dist/vendor/*.cjs (src/code-cache.ts loads them). Runs
// of hydra (HYDRA_WRITE_CODE_CACHE=1) on a config whose only services are a stub HTTP server this
// script starts on 127.0.0.1 (an ephemeral port: nothing leaves the machine): `backup dashboards`
// (a one-dashboard Grafana: its bundle, scripts/bundle-commands.mjs), then `hydra health`, which
// loads the config (zod, yaml), dispatches through oclif and makes requests (undici). Each run
// writes the cache of every bundle it loaded, with every function it compiled; the later run's
// caches of the shared bundles are kept. A function a cache lacks is compiled when first called, as
// without a cache. Caches are made for this Node version and architecture only; another Node
// compiles the bundles as before.
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const vendor = join(root, 'dist/vendor')
const dir = mkdtempSync(join(tmpdir(), 'hydra-code-cache-'))
// the few Grafana answers a backup asks for (one dashboard, no folder, nothing else); any other path
// is Prometheus's readiness text
const dashboard = {dashboard: {uid: 'code-cache', title: 'Code cache', panels: []}, meta: {folderUid: '', folderTitle: 'General'}}
const grafana = {
  '/api/health': {database: 'ok', version: '11.3.0', commit: 'build'},
  '/api/search': (q) => (q.get('page') === '1' || q.get('limit') === '1' ? [{uid: 'code-cache', title: 'Code cache', type: 'dash-db'}] : []),
  '/api/dashboards/uid/code-cache': dashboard,
  '/api/folders': [],
  '/api/datasources': [],
  '/api/library-elements': {result: {totalCount: 0, elements: [], page: 1, perPage: 100}},
  '/api/v1/provisioning/alert-rules': [],
  '/api/v1/provisioning/contact-points': [],
  '/api/v1/provisioning/policies': {receiver: 'grafana-default-email'},
}
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost')
  const answer = grafana[url.pathname]
  if (answer === undefined) return res.writeHead(200, {'content-type': 'text/plain'}).end('Prometheus Server is Ready.\n')
  res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(typeof answer === 'function' ? answer(url.searchParams) : answer))
})
try {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const config = join(dir, 'hydra.yaml')
  const base = `http://127.0.0.1:${server.address().port}`
  writeFileSync(
    config,
    `cluster: build\nnodes:\n  a: {address: 127.0.0.1}\nservices:\n  prometheus: {url: "${base}"}\n  grafana:\n    url: "${base}"\n    auth: {tokenEnv: HYDRA_CODE_CACHE_TOKEN}\n`,
  )
  const env = {...process.env, HYDRA_WRITE_CODE_CACHE: '1', NO_COLOR: '1', HYDRA_CODE_CACHE_TOKEN: 'build'}
  delete env.HYDRA_CONFIG
  // a complete backup, so that its bundle's cache holds the whole of a run (verify, sync, publish)
  const backup = await new Promise((resolve) =>
    execFile(process.execPath, [join(root, 'bin/run.js'), 'backup', 'dashboards', '--config', config, '--dir', join(dir, 'backups'), '--json'], {cwd: dir, env, timeout: 120_000}, (error, stdout, stderr) =>
      resolve({code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}`}),
    ),
  )
  if (backup.code !== 0) throw new Error(`code-cache: the backup against the build's stub Grafana exited ${backup.code} (update the stub in this script to what the backup asks for):\n${backup.output.slice(0, 2000)}`)
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
