// The floor of bench/backup.ts: the least a backup of Grafana's dashboards can be with hydra's own
// packages, for the bench to print beside hydra. Not a backup tool: no config validation, no other
// Grafana kinds, no lock, no read-back, no error handling; a failed request ends it.
//
// What it does pay, as hydra does: node starting; the vendored bundles (oclif, yaml, undici) loaded
// through hydra's code-cache hook; oclif's Config.load (what every oclif command costs before it
// runs); the config file parsed with yaml; undici's Agent (the bundle hydra uses, --liftoff-only as
// hydra sets it); the search, then every dashboard, 64 at once, each parsed (JSON.parse), hashed
// (sha256) and written to its own new file (wx, 0600); a manifest; `sync -f`.
//
//   node bench/backup-floor.mjs CONFIG DIR     (HYDRA_GRAFANA_TOKEN in the environment; prints {"saved": N})
//
// Plain JavaScript, run by node as hydra is (bin/run.js): a TypeScript loader would add its own
// start-up to the floor.
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {setFlagsFromString} from 'node:v8'

const root = fileURLToPath(new URL('..', import.meta.url))
const [configPath, dir] = process.argv.slice(2)
const concurrency = 64

const {installCodeCache} = await import(new URL('../dist/code-cache.js', import.meta.url).href)
installCodeCache()
const require = createRequire(import.meta.url)
const oclif = require('../dist/vendor/oclif-core.cjs')
const config = await oclif.Config.load({root})
const YAML = require('../dist/vendor/yaml.cjs')
const grafana = YAML.parse(readFileSync(configPath, 'utf8')).services.grafana
const {Agent} = require('../dist/vendor/undici.cjs')
setFlagsFromString('--liftoff-only')
const agent = new Agent({headersTimeout: 30_000, bodyTimeout: 30_000, connect: {timeout: 5000}})
const base = new URL(grafana.url)
const prefix = base.pathname.replace(/\/$/, '')
const headers = {authorization: `Bearer ${process.env[grafana.auth.tokenEnv]}`, 'user-agent': `hydra-floor/${config.version}`, accept: 'application/json'}

/** GET a path, the body as one Buffer (Dispatcher.dispatch, as hydra's transport uses it). */
function get(path) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let status = 0
    agent.dispatch(
      {origin: base.origin, path: prefix + path, method: 'GET', headers},
      {
        onConnect() {},
        onHeaders(statusCode) {
          status = statusCode
          return true
        },
        onData(chunk) {
          chunks.push(chunk)
          return true
        },
        onComplete() {
          if (status === 200) resolve(Buffer.concat(chunks))
          else reject(new Error(`GET ${path}: HTTP ${status}`))
        },
        onError: reject,
      },
    )
  })
}

mkdirSync(dir, {recursive: true, mode: 0o700})
const hits = []
for (let page = 1; ; page++) {
  const found = JSON.parse(await get(`/api/search?type=dash-db&limit=5000&page=${page}`))
  hits.push(...found)
  if (found.length < 5000) break
}
const manifest = []
let next = 0
await Promise.all(
  Array.from({length: concurrency}, async () => {
    while (next < hits.length) {
      const hit = hits[next++]
      const raw = await get(`/api/dashboards/uid/${encodeURIComponent(hit.uid)}`)
      const doc = JSON.parse(raw.toString())
      writeFileSync(`${dir}/${hit.uid}.json`, raw, {flag: 'wx', mode: 0o600})
      manifest.push({uid: hit.uid, title: doc.dashboard.title, size: raw.length, sha256: createHash('sha256').update(raw).digest('hex')})
    }
  }),
)
writeFileSync(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2), {flag: 'wx', mode: 0o600})
spawnSync('sync', ['-f', dir])
console.log(JSON.stringify({saved: manifest.length}))
process.exit(0)
