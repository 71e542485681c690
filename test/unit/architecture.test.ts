/**
 * The house rules of docs/ARCHITECTURE.md, enforced: who may import whom, and how big a file may
 * grow. The checker is a pure function over file texts, so the rules are also tested on a small
 * made-up tree that breaks each of them (a rule that cannot fail is no rule).
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Layers, lowest first. A file may import its own layer and the layers below it, never above. */
const LAYERS = ['base', 'output', 'clients', 'domain', 'doctor', 'command'] as const
type Layer = (typeof LAYERS)[number]

/** Which layer a file under src/ belongs to. */
function layerOf(path: string): Layer {
  if (!path.startsWith('src/lib/')) return 'command' // src/commands/**, src/base-command.ts, src/index.ts
  const rest = path.slice('src/lib/'.length)
  // errors, secrets, formatting, row order, the config, and name resolution (net/: imports nothing of hydra's)
  if (rest === 'errors.ts' || rest === 'secrets.ts' || rest === 'format.ts' || rest === 'order.ts' || rest.startsWith('config/') || rest.startsWith('net/')) return 'base'
  if (rest.startsWith('output/')) return 'output'
  if (rest.startsWith('clients/') || rest.startsWith('ssh/')) return 'clients'
  if (rest.startsWith('doctor/')) return 'doctor'
  return 'domain' // prometheus, grafana, loki, alertmanager, docker, backup, rules, …
}

/** Output modules that draw for a person: only renderers, doctor and commands may use them. */
const RENDERERS = ['src/lib/output/table.ts', 'src/lib/output/terminal.ts', 'src/lib/output/progress.ts']
/** A renderer beside its domain is a file named render.ts or *-render.ts. */
const isRendererFile = (path: string) => /(^|\/|-)render\.ts$/.test(path)

/**
 * Files allowed over the size limit, each with why. Issue 9 gives these to the core helper
 * (clients/http.ts split by concern, commands as adapters); delete a line when its file is cut
 * down: a stale exception fails the test too.
 */
const SIZE_EXCEPTIONS: Record<string, string> = {}
const MAX_LIB_LINES = 400
const MAX_COMMAND_LINES = 80

/** Relative imports of a file (static, dynamic, type-only and re-exports alike), as src-relative paths. */
function importsOf(path: string, text: string): string[] {
  const specs = [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2] ?? m[3]!)
  return specs.filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(path), s)).replace(/\.js$/, '.ts'))
}

function violations(files: Record<string, string>, exceptions: Record<string, string> = SIZE_EXCEPTIONS): string[] {
  const out: string[] = []
  for (const [path, text] of Object.entries(files)) {
    const layer = layerOf(path)
    for (const target of importsOf(path, text)) {
      if (!target.startsWith('src/')) continue
      const to = layerOf(target)
      if (path.startsWith('src/lib/') && !target.startsWith('src/lib/')) out.push(`${path} imports ${target}: src/lib never imports src/commands or the command base`)
      else if (LAYERS.indexOf(to) > LAYERS.indexOf(layer)) out.push(`${path} imports ${target}: the ${layer} layer never imports the ${to} layer above it`)
      else if (RENDERERS.includes(target) && (layer === 'domain' || layer === 'clients' || layer === 'base') && !isRendererFile(path))
        out.push(`${path} imports ${target}: ${layer} code never imports an output renderer (put the rendering in a render.ts beside it)`)
    }
    if (path.startsWith('src/lib/') && /\bprocess\.exit\s*\(/.test(text)) out.push(`${path} calls process.exit: only the command base decides how hydra exits`)
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
    const max = path.startsWith('src/lib/') ? MAX_LIB_LINES : path.startsWith('src/commands/') ? MAX_COMMAND_LINES : Infinity
    if (path in exceptions) {
      if (lines <= max) out.push(`${path} is ${lines} lines, within the limit: remove it from SIZE_EXCEPTIONS`)
    } else if (lines > max) out.push(`${path} is ${lines} lines, over the ${max} allowed`)
  }
  for (const path of Object.keys(exceptions)) if (!(path in files)) out.push(`${path} no longer exists: remove it from SIZE_EXCEPTIONS`)
  return out
}

function sourceTree(): Record<string, string> {
  const files: Record<string, string> = {}
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (name.endsWith('.ts')) files[relative(root, full)] = readFileSync(full, 'utf8')
    }
  }
  walk(join(root, 'src'))
  return files
}

describe('the architecture of src/', () => {
  it('follows the import rules and the size limits', () => {
    const files = sourceTree()
    expect(Object.keys(files).length).toBeGreaterThan(50)
    expect(violations(files)).toEqual([])
  })
})

describe('the rules themselves (a made-up tree that breaks each one)', () => {
  const ok = "import {x} from './x.js'\n"
  it('places files in their layers', () => {
    expect(['src/lib/errors.ts', 'src/lib/net/hosts.ts', 'src/lib/output/table.ts', 'src/lib/ssh/target.ts', 'src/lib/prometheus/tsdb.ts', 'src/lib/rules/render.ts', 'src/lib/doctor/catalogue/node/ssh.ts', 'src/commands/doctor.ts', 'src/base-command.ts'].map(layerOf)).toEqual(
      ['base', 'base', 'output', 'clients', 'domain', 'domain', 'doctor', 'command', 'command'],
    )
  })
  it('lib → commands, domain → doctor, lower → higher: each reported', () => {
    const files = {
      'src/lib/prometheus/a.ts': "import {Doctor} from '../../commands/doctor.js'\nimport type {Check} from '../doctor/model.js'\n",
      'src/lib/grafana/b.ts': "import {HydraCommand} from '../../base-command.js'\n",
      'src/lib/config/c.ts': "const m = await import('../prometheus/client.js')\n",
      'src/lib/clients/d.ts': "export {x} from '../loki/logs.js'\n",
      'src/lib/output/e.ts': "import {GrafanaClient} from '../grafana/client.js'\n",
      'src/lib/doctor/f.ts': "import {x} from '../prometheus/tsdb.js'\nimport {y} from '../output/table.js'\n",
      'src/commands/g.ts': "import {z} from '../lib/doctor/run.js'\n",
    }
    expect(violations(files, {})).toEqual([
      'src/lib/prometheus/a.ts imports src/commands/doctor.ts: src/lib never imports src/commands or the command base',
      'src/lib/prometheus/a.ts imports src/lib/doctor/model.ts: the domain layer never imports the doctor layer above it',
      'src/lib/grafana/b.ts imports src/base-command.ts: src/lib never imports src/commands or the command base',
      'src/lib/config/c.ts imports src/lib/prometheus/client.ts: the base layer never imports the domain layer above it',
      'src/lib/clients/d.ts imports src/lib/loki/logs.ts: the clients layer never imports the domain layer above it',
      'src/lib/output/e.ts imports src/lib/grafana/client.ts: the output layer never imports the domain layer above it',
    ])
  })
  it('domain code does not import a renderer, unless it is a render.ts beside its domain', () => {
    expect(violations({'src/lib/prometheus/alerts.ts': "import {renderTable} from '../output/table.js'\n", 'src/lib/prometheus/render.ts': "import {renderTable} from '../output/table.js'\n", 'src/lib/loki/logs.ts': "import {formatLocalTime} from '../output/time.js'\n"}, {})).toEqual([
      'src/lib/prometheus/alerts.ts imports src/lib/output/table.ts: domain code never imports an output renderer (put the rendering in a render.ts beside it)',
    ])
  })
  it('process.exit in src/lib; a lib file over 400 lines, a command over 80; stale exceptions', () => {
    const files = {
      'src/lib/backup/x.ts': 'process.exit(1)\n',
      'src/lib/big.ts': ok.repeat(401),
      'src/lib/fits.ts': ok.repeat(400),
      'src/commands/long.ts': ok.repeat(81),
      'src/commands/short.ts': ok.repeat(80),
      'src/lib/excused.ts': ok.repeat(500),
      'src/lib/cured.ts': ok.repeat(10),
    }
    expect(violations(files, {'src/lib/excused.ts': 'why', 'src/lib/cured.ts': 'why', 'src/lib/gone.ts': 'why'})).toEqual([
      'src/lib/backup/x.ts calls process.exit: only the command base decides how hydra exits',
      'src/lib/big.ts is 401 lines, over the 400 allowed',
      'src/commands/long.ts is 81 lines, over the 80 allowed',
      'src/lib/cured.ts is 10 lines, within the limit: remove it from SIZE_EXCEPTIONS',
      'src/lib/gone.ts no longer exists: remove it from SIZE_EXCEPTIONS',
    ])
  })
})
