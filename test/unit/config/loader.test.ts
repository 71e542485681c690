import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {DEFAULT_CONFIG_YAML, defaultAssumptions} from '../../../src/lib/config/default-config.js'
import {discoverConfig, loadConfig, parseConfigText} from '../../../src/lib/config/loader.js'
import {ConfigError} from '../../../src/lib/errors.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()

function problemOf(text: string) {
  try {
    parseConfigText(text, '/etc/hydra.yaml')
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const e = error as ConfigError
    expect(e.exitCode).toBe(2)
    return e.problems[0]!
  }
  throw new Error('expected a ConfigError')
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1

describe('config loader', () => {
  it('accepts the embedded default and resolves the runbook cluster', () => {
    const {config, source, assumptions} = loadConfig({env: {}, cwd: tempDir('hydra-'), home: '/nonexistent'})
    expect(source.kind).toBe('default')
    expect(config.nodes.map((n) => `${n.name}=${n.address}`)).toEqual(['hydra-storage=192.168.1.244', 'hydra-compute=192.168.1.203', 'hydra-ai=192.168.1.250'])
    expect(config.prometheus.baseUrl).toBe('http://192.168.1.244:9090')
    expect(config.prometheus.retention).toMatchObject({time: '15d', size: '10GB', sizeBytes: 10 * 2 ** 30})
    expect(config.alertmanager?.required).toBe(false)
    const tabby = config.apps.find((a) => a.id === 'tabbyapi')!
    expect(tabby.health).toBe('/health') // not /metrics: TabbyAPI has none on main
    expect(tabby.metrics).toBeUndefined()
    expect(config.apps.find((a) => a.id === 'litellm')!.health).toBe('/health/liveliness')
    const gpu = config.nodes.find((n) => n.name === 'hydra-ai')!.exporters.find((e) => e.name === 'gpu')!
    expect(gpu).toMatchObject({port: 9835, job: 'nvidia-gpu', unit: 'prometheus-nvidia-gpu-exporter.service'})
    expect(assumptions).toEqual(defaultAssumptions())
    expect(assumptions.length).toBeGreaterThan(3)
  })

  it('discovers --config, then HYDRA_CONFIG, then ./hydra.yaml, then the user dir, then the default', () => {
    const cwd = tempDir('hydra-cwd-')
    const home = tempDir('hydra-home-')
    expect(discoverConfig({cwd, home, env: {}}).kind).toBe('default')
    const user = join(home, '.config', 'hydra', 'config.yaml')
    mkdirSync(join(home, '.config', 'hydra'), {recursive: true})
    writeFileSync(user, DEFAULT_CONFIG_YAML)
    expect(discoverConfig({cwd, home, env: {}})).toEqual({kind: 'user', path: user})
    writeFileSync(join(cwd, 'hydra.yaml'), DEFAULT_CONFIG_YAML)
    expect(discoverConfig({cwd, home, env: {}})).toEqual({kind: 'cwd', path: join(cwd, 'hydra.yaml')})
    expect(discoverConfig({cwd, home, env: {HYDRA_CONFIG: '/x/env.yaml'}})).toEqual({kind: 'env', path: '/x/env.yaml'})
    expect(discoverConfig({cwd, home, env: {HYDRA_CONFIG: '/x/env.yaml'}, flag: 'flag.yaml'})).toEqual({kind: 'flag', path: join(cwd, 'flag.yaml')})
  })

  it('YAML syntax error: file:line:col', () => {
    const p = problemOf('cluster: hydra\nnodes:\n  a: [1, 2\nservices: {}\n')
    expect(p.file).toBe('/etc/hydra.yaml')
    expect(p.line).toBeGreaterThan(0)
    expect(p.col).toBeGreaterThan(0)
    expect(p.message).toMatch(/YAML syntax error/)
  })

  it('wrong type: names the key path and what was found', () => {
    const text = DEFAULT_CONFIG_YAML.replace('port: 9090', 'port: "ninety"')
    const p = problemOf(text)
    expect(p).toMatchObject({keyPath: 'services.prometheus.port', line: lineOf(text, 'port: "ninety"'), col: 11})
    expect(p.message).toMatch(/expected a port number.*got "ninety"/)
  })

  it('unknown key: points at the key itself', () => {
    const text = DEFAULT_CONFIG_YAML.replace('    os: unraid', '    os: unraid\n    colour: blue')
    const p = problemOf(text)
    expect(p).toMatchObject({keyPath: 'nodes.hydra-storage.colour', line: lineOf(text, 'colour: blue'), col: 5})
    expect(p.message).toBe('unknown key "colour"')
  })

  it('a service on a node that does not exist', () => {
    const text = DEFAULT_CONFIG_YAML.replace('node: hydra-storage\n    port: 3003', 'node: hydra-nope\n    port: 3003')
    const p = problemOf(text)
    expect(p).toMatchObject({keyPath: 'services.grafana.node', line: lineOf(text, 'hydra-nope')})
    expect(p.message).toMatch(/node "hydra-nope" does not exist \(known nodes: hydra-storage, hydra-compute, hydra-ai\)/)
  })

  it('a port out of range', () => {
    const text = DEFAULT_CONFIG_YAML.replace('port: 9835             #', 'port: 70000 #')
    const p = problemOf(text)
    expect(p).toMatchObject({keyPath: 'nodes.hydra-compute.exporters.gpu.port', line: lineOf(text, '70000')})
    expect(p.message).toMatch(/1-65535, got 70000/)
  })

  it('a duplicated node', () => {
    const text = DEFAULT_CONFIG_YAML.replace('  hydra-ai:\n', '  hydra-compute:\n    address: 127.0.0.9\n  hydra-ai:\n')
    const p = problemOf(text)
    expect(p).toMatchObject({keyPath: 'nodes.hydra-compute', line: text.split('\n').lastIndexOf('  hydra-compute:') + 1, col: 3})
    expect(p.message).toBe('duplicate key "hydra-compute"')
  })

  it('a secret written inline is refused, and its value is never echoed', () => {
    const text = DEFAULT_CONFIG_YAML.replace('tokenEnv: HYDRA_GRAFANA_TOKEN', 'token: glsa_s3cr3tvalue')
    const p = problemOf(text)
    expect(p).toMatchObject({keyPath: 'services.grafana.auth.token', line: lineOf(text, 'glsa_s3cr3tvalue')})
    expect(p.message).toMatch(/secret is written inline.*tokenEnv or tokenFile/)
    expect(JSON.stringify(p)).not.toContain('glsa_s3cr3tvalue')
  })

  it('credentials in a URL and in a header are refused without echoing them', () => {
    const url = DEFAULT_CONFIG_YAML.replace('node: hydra-storage\n    port: 3003', 'url: http://admin:hunter22@grafana.example:3003')
    const p1 = problemOf(url)
    expect(p1.keyPath).toBe('services.grafana.url')
    expect(JSON.stringify(p1)).not.toContain('hunter22')
    const hdr = DEFAULT_CONFIG_YAML.replace('    container: loki', '    container: loki\n    headers: {Authorization: "Bearer abcdef"}')
    const p2 = problemOf(hdr)
    expect(p2.keyPath).toBe('services.loki.headers.Authorization')
    expect(JSON.stringify(p2)).not.toContain('abcdef')
  })

  it('a missing required section', () => {
    const p = problemOf('cluster: x\nnodes: {}\n')
    expect(p.keyPath).toBe('services')
    expect(p.message).toMatch(/missing required key "services"/)
  })

  it('an unreadable file says so and exits 2', () => {
    expect(() => loadConfig({flag: '/nonexistent/hydra.yaml'})).toThrow(/cannot read config: no such file/)
  })
})
