import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {DEFAULT_CONFIG_YAML} from '../../src/lib/config/default-config.js'
import {runHydra, STACK_LINE} from '../helpers/run-hydra.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

const dir = tempDir('hydra-cmd-')
function configFile(name: string, text: string): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const MALFORMED: Record<string, {text: string; key: string}> = {
  'yaml syntax': {text: 'cluster: hydra\nnodes:\n  a: [1, 2\n', key: ''},
  'wrong type': {text: DEFAULT_CONFIG_YAML.replace('port: 9090', 'port: "ninety"'), key: 'services.prometheus.port'},
  'unknown key': {text: DEFAULT_CONFIG_YAML.replace('    os: unraid', '    os: unraid\n    colour: blue'), key: 'nodes.hydra-storage.colour'},
  'missing node': {text: DEFAULT_CONFIG_YAML.replace('node: hydra-storage\n    port: 3003', 'node: hydra-nope\n    port: 3003'), key: 'services.grafana.node'},
  'port out of range': {text: DEFAULT_CONFIG_YAML.replace('port: 9835             #', 'port: 70000 #'), key: 'nodes.hydra-compute.exporters.gpu.port'},
  'duplicated node': {text: DEFAULT_CONFIG_YAML.replace('  hydra-ai:\n', '  hydra-compute:\n    address: 127.0.0.9\n  hydra-ai:\n'), key: 'nodes.hydra-compute'},
  'inline secret': {text: DEFAULT_CONFIG_YAML.replace('tokenEnv: HYDRA_GRAFANA_TOKEN', 'token: glsa_s3cr3tvalue'), key: 'services.grafana.auth.token'},
}

describe('hydra config validate: every malformed config gets file:line:col, the key path, exit 2, no stack trace', () => {
  for (const [name, {text, key}] of Object.entries(MALFORMED)) {
    it(name, async () => {
      const file = configFile(`${name.replace(/ /g, '-')}.yaml`, text)
      const r = await runHydra(['config', 'validate', file])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+${key ? ` at ${key.replace(/[.]/g, '\\.')}:` : ':'}`))
      expect(r.stderr).not.toMatch(STACK_LINE)
      expect(r.stderr).not.toContain('glsa_s3cr3tvalue')
      // the same through the global --config flag of any command, and as JSON
      const j = await runHydra(['targets', '--config', file, '--json'])
      expect(j.code).toBe(2)
      const doc = j.json()
      expect(doc.error.code).toBe('config_invalid')
      expect(doc.error.exitCode).toBe(2)
      if (key) expect(doc.error.details.problems[0].keyPath).toBe(key)
      expect(j.stdout).not.toContain('glsa_s3cr3tvalue')
    })
  }

  it('a valid file', async () => {
    const file = configFile('ok.yaml', DEFAULT_CONFIG_YAML)
    const r = await runHydra(['config', 'validate', file, '--json'])
    expect(r.code).toBe(0)
    expect(r.json()).toMatchObject({valid: true, file, nodes: 3, apps: 4})
  })
})

describe('hydra config show / init', () => {
  it('show names the source and the default assumptions, and shows secret references, not values', async () => {
    const r = await runHydra(['config', 'show', '--json'], {cwd: dir, env: {HOME: dir, XDG_CONFIG_HOME: dir, HYDRA_GRAFANA_TOKEN: 'tok-abcdef-123'}})
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.source.kind).toBe('default')
    expect(doc.assumptions.join('\n')).toMatch(/node exporter runs as a Docker container/)
    expect(doc.config.services.grafana.auth).toEqual({tokenEnv: 'HYDRA_GRAFANA_TOKEN'})
    expect(r.stdout).not.toContain('tok-abcdef-123')
    const human = await runHydra(['config', 'show'], {cwd: dir, env: {HOME: dir, XDG_CONFIG_HOME: dir}})
    expect(human.stdout).toMatch(/# source: \(embedded default\)/)
    expect(human.stdout).toMatch(/# assumptions the embedded default makes/)
  })

  it('init writes a commented config and refuses to overwrite without --force', async () => {
    const path = join(dir, 'init', 'hydra.yaml')
    const r1 = await runHydra(['config', 'init', path])
    expect(r1.code).toBe(0)
    expect(readFileSync(path, 'utf8')).toContain('# assumption:')
    const r2 = await runHydra(['config', 'init', path, '--json'])
    expect(r2.code).toBe(2)
    expect(r2.json().error.message).toMatch(/already exists/)
    const r3 = await runHydra(['config', 'init', path, '--force'])
    expect(r3.code).toBe(0)
    expect(existsSync(path)).toBe(true)
  })
})

describe('usage errors', () => {
  it('an unknown flag is exit 2 with one JSON document under --json', async () => {
    const r = await runHydra(['targets', '--bogus', '--json'])
    expect(r.code).toBe(2)
    expect(r.json().error.exitCode).toBe(2)
    expect(r.stdout).not.toMatch(STACK_LINE)
  })
  it('a bad --timeout is exit 2', async () => {
    const file = configFile('ok2.yaml', DEFAULT_CONFIG_YAML)
    const r = await runHydra(['health', '--config', file, '--timeout', 'soon'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--timeout "soon" is not a duration/)
  })
  it('a mistyped command is refused with exit 127 (the not-found plugin asks "did you mean" only on a TTY)', async () => {
    const r = await runHydra(['helth'])
    expect(r.stderr).toMatch(/helth is not a hydra command/)
    expect(r.code).toBe(127)
  })
})
