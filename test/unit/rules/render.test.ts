/**
 * hydra rules render, without any network: the embedded default config and the lab config are
 * rendered by the pure functions, checked by the real promtool, and their generated unit tests
 * run by promtool (each rule fires on a broken series and stays quiet on a healthy one).
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {DEFAULT_CONFIG_YAML} from '../../../src/lib/config/default-config.js'
import {resolveConfig, type HydraConfig} from '../../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../../src/lib/config/schema.js'
import {CRON_METRICS} from '../../../src/lib/rules/catalogue.js'
import {expandTemplate, promtoolTests, promtoolTestsYaml, rulesFromConfig, rulesHeader, rulesYaml, type RenderOptions} from '../../../src/lib/rules/render.js'
import {labConfigPaths, labConfigYaml} from '../../lab/lab-config.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()

const tmp = tempDir('hydra-rules-unit-')
const resolve = (yaml: string): HydraConfig => resolveConfig(ConfigSchema.parse(parse(yaml)))
const defaultConfig = resolve(DEFAULT_CONFIG_YAML)
const labConfig = resolve(labConfigYaml(labConfigPaths('/tmp/lab-state')))

function renderToFiles(name: string, cfg: HydraConfig, options: RenderOptions = {}): {rules: string; tests: string; text: string} {
  const {context, defs, groups} = rulesFromConfig(cfg, options)
  const text = rulesYaml(groups, rulesHeader(context, 'config only'))
  const rules = join(tmp, `${name}.rules.yml`)
  const tests = join(tmp, `${name}.tests.yml`)
  writeFileSync(rules, text)
  writeFileSync(tests, promtoolTestsYaml(promtoolTests(defs, `${name}.rules.yml`, options)))
  return {rules, tests, text}
}

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, {encoding: 'utf8', timeout: 60_000})
  expect(r.error).toBeUndefined()
  return r
}

describe('hydra rules render (pure, no network)', () => {
  for (const [name, cfg] of [
    ['default', defaultConfig],
    ['lab', labConfig],
  ] as const) {
    it(`the ${name} config: promtool check rules passes, and promtool test rules passes`, () => {
      const f = renderToFiles(name, cfg)
      const check = promtool('check', 'rules', f.rules)
      expect(check.status, check.stdout + check.stderr).toBe(0)
      expect(check.stdout).toMatch(/SUCCESS: 13 rules found/)
      const test = promtool('test', 'rules', f.tests)
      expect(test.status, test.stdout + test.stderr).toBe(0)
      expect(test.stdout).toContain('SUCCESS')
    })
  }

  it('every rule has a severity, a summary naming the node and a hint naming a hydra command', () => {
    const {groups} = rulesFromConfig(defaultConfig)
    const rules = groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['NodeExporterDown', 'TargetDown', 'RootDiskSpaceLow', 'MemoryAvailableLow', 'GpuTemperatureHigh', 'GpuMemoryNearlyFull', 'PrometheusRuleFailures', 'PrometheusTsdbNearSizeRetention', 'LokiNotReady', 'LokiNotIngesting', 'HydraDoctorNotRunning', 'HydraCheckFailing', 'HydraDashboardBackupStale']),
    )
    for (const r of rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity)
      expect(r.annotations.hint, r.alert).toMatch(/hydra [a-z]/)
      expect(r.annotations.summary, r.alert).toMatch(/\$labels\.(node|instance|check)|hydra-storage/)
    }
  })

  it('thresholds come from the config; GPU names are nvidia_smi_* (the exporter on :9835), never the runbook\'s', () => {
    const cfg = resolve(DEFAULT_CONFIG_YAML.replace('rootDiskFreePercent: 10', 'rootDiskFreePercent: 17'))
    const {groups} = rulesFromConfig(cfg)
    const all = groups.flatMap((g) => g.rules)
    expect(all.find((r) => r.alert === 'RootDiskSpaceLow')!.expr).toMatch(/< 17$/)
    expect(all.find((r) => r.alert === 'GpuTemperatureHigh')!.expr).toBe('nvidia_smi_temperature_gpu > 85')
    expect(JSON.stringify(all)).not.toContain('nvidia_gpu_temperature_celsius')
  })

  it('several GPU exporters: one rule each, their expressions joined with or; the promtool tests cover every one', () => {
    const f = (() => {
      const {context, defs, groups} = rulesFromConfig(labConfig, {groups: ['hydra-gpu']}, {gpuExporters: ['nvidia_smi', 'dcgm', 'nvidia_gpu']})
      const rules = join(tmp, 'gpus.rules.yml')
      writeFileSync(rules, rulesYaml(groups, rulesHeader(context, 'test')))
      writeFileSync(join(tmp, 'gpus.tests.yml'), promtoolTestsYaml(promtoolTests(defs, 'gpus.rules.yml', {groups: ['hydra-gpu']})))
      return {rules, tests: join(tmp, 'gpus.tests.yml'), groups}
    })()
    const mem = f.groups.flatMap((g) => g.rules).find((r) => r.alert === 'GpuMemoryNearlyFull')!
    expect(mem.expr).toBe('nvidia_smi_memory_used_bytes / nvidia_smi_memory_total_bytes * 100 > 95 or DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) * 100 > 95 or nvidia_gpu_memory_used_bytes / nvidia_gpu_memory_total_bytes * 100 > 95')
    expect(promtool('check', 'rules', f.rules).status).toBe(0)
    const test = promtool('test', 'rules', f.tests)
    expect(test.status, test.stdout + test.stderr).toBe(0)
  })

  it('--max-for caps every rule\'s for, and the tests still pass', () => {
    const f = renderToFiles('capped', labConfig, {maxForMs: 2000})
    const doc = parse(f.text) as {groups: {rules: {for: string}[]}[]}
    expect(new Set(doc.groups.flatMap((g) => g.rules.map((r) => r.for)))).toEqual(new Set(['2s']))
    const test = promtool('test', 'rules', f.tests)
    expect(test.status, test.stdout + test.stderr).toBe(0)
  })

  it('a generated test is a real test: promtool fails it when the rule is broken', () => {
    const f = renderToFiles('broken', labConfig, {groups: ['hydra-nodes']})
    writeFileSync(f.rules, readFileSync(f.rules, 'utf8').replace('up{job="node"} == 0', 'up{job="node"} == 2'))
    const test = promtool('test', 'rules', f.tests)
    expect(test.status).toBe(1)
    expect(test.stderr).toContain('NodeExporterDown')
  })

  it('expands the template subset it writes', () => {
    expect(expandTemplate('{{ if $labels.node }}{{ $labels.node }}{{ else }}{{ $labels.instance }}{{ end }} x', {instance: 'a:1'})).toBe('a:1 x')
    expect(expandTemplate('doctor{{ if $labels.node }} on {{ $labels.node }}{{ end }}', {node: 'n'})).toBe('doctor on n')
  })

  it('docs/hydra-cron-alerts.yml is the rendered hydra-cron group, so the two cannot drift', () => {
    const {context, groups} = rulesFromConfig(defaultConfig, {groups: ['hydra-cron']})
    const docs = readFileSync(new URL('../../../docs/hydra-cron-alerts.yml', import.meta.url), 'utf8')
    expect(parse(docs)).toEqual(parse(rulesYaml(groups, rulesHeader(context, 'x'))))
    for (const name of Object.values(CRON_METRICS)) expect(docs).toContain(name)
  })
})
