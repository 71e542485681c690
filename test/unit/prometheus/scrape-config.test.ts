import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {DEFAULT_CONFIG_YAML} from '../../../src/lib/config/default-config.js'
import {resolveConfig, type HydraConfig} from '../../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../../src/lib/config/schema.js'
import {renderPrometheusYaml, renderScrapeConfigs} from '../../../src/lib/prometheus/scrape-config.js'

function load(text: string): HydraConfig {
  return resolveConfig(ConfigSchema.parse(parse(text)))
}

const SMALL = `
nodes:
  a: {address: 10.0.0.1, exporters: {node: {port: 9100, managedBy: process, process: node_exporter}}}
  b:
    address: 10.0.0.2
    exporters:
      node: {port: 9100, managedBy: process, process: node_exporter}
      blackbox: {port: 9115, path: /probe, scheme: https, managedBy: process, process: blackbox}
services:
  prometheus: {node: a, port: 9090}
`

describe('renderScrapeConfigs', () => {
  it('renders the default cluster: one job per exporter job, one static_config per node, apps with metrics only', () => {
    const scrape = renderScrapeConfigs(load(DEFAULT_CONFIG_YAML))
    expect(scrape.map((s) => s.job_name)).toEqual(['node', 'cadvisor', 'postgres', 'redis', 'nvidia-gpu', 'qdrant'])
    expect(scrape[0]).toEqual({
      job_name: 'node',
      static_configs: [
        {targets: ['192.168.1.244:9100'], labels: {node: 'hydra-storage'}},
        {targets: ['192.168.1.203:9100'], labels: {node: 'hydra-compute'}},
        {targets: ['192.168.1.250:9100'], labels: {node: 'hydra-ai'}},
      ],
    })
    const gpu = scrape.find((s) => s.job_name === 'nvidia-gpu')!
    expect(gpu.static_configs.flatMap((g) => g.targets)).toEqual(['192.168.1.203:9835', '192.168.1.250:9835'])
    expect(scrape.find((s) => s.job_name === 'qdrant')).toEqual({
      job_name: 'qdrant',
      static_configs: [{targets: ['192.168.1.244:6333'], labels: {node: 'hydra-storage'}}],
    })
    // TabbyAPI has no /metrics on main: no job for it
    expect(scrape.some((s) => s.job_name === 'tabbyapi')).toBe(false)
  })

  it('sets metrics_path and scheme only when they differ from the Prometheus defaults', () => {
    const scrape = renderScrapeConfigs(load(SMALL))
    expect(scrape.find((s) => s.job_name === 'node')).not.toHaveProperty('metrics_path')
    expect(scrape.find((s) => s.job_name === 'node')).not.toHaveProperty('scheme')
    expect(scrape.find((s) => s.job_name === 'blackbox')).toEqual({
      job_name: 'blackbox',
      metrics_path: '/probe',
      scheme: 'https',
      static_configs: [{targets: ['10.0.0.2:9115'], labels: {node: 'b'}}],
    })
  })

  it('applies per-job interval and timeout', () => {
    const scrape = renderScrapeConfigs(load(SMALL), {scrapeInterval: '1s', scrapeTimeout: '900ms'})
    for (const s of scrape) {
      expect(s.scrape_interval).toBe('1s')
      expect(s.scrape_timeout).toBe('900ms')
    }
  })

  it('overrides path and scheme per group when one job mixes them', () => {
    const cfg = load(`
nodes:
  a: {address: 10.0.0.1, exporters: {node: {port: 9100, managedBy: process, process: x}}}
  b: {address: 10.0.0.2, exporters: {node: {port: 9100, path: /node/metrics, scheme: https, managedBy: process, process: x}}}
services:
  prometheus: {node: a, port: 9090}
`)
    expect(renderScrapeConfigs(cfg)).toEqual([
      {
        job_name: 'node',
        static_configs: [
          {targets: ['10.0.0.1:9100'], labels: {node: 'a'}},
          {targets: ['10.0.0.2:9100'], labels: {node: 'b', __metrics_path__: '/node/metrics', __scheme__: 'https'}},
        ],
      },
    ])
  })

  it('renders apps given by url, with their path prefix, default port and app job name', () => {
    const cfg = load(`
nodes:
  a: {address: 10.0.0.1}
services:
  prometheus: {node: a, port: 9090}
apps:
  qdrant: {url: 'https://10.0.0.1/qdrant/', metrics: /metrics, job: vectors, tls: {insecureSkipVerify: true}}
  elsewhere: {url: 'http://vec.example:6333', metrics: /metrics}
  tabbyapi: {node: a, port: 5000}
`)
    expect(renderScrapeConfigs(cfg)).toEqual([
      {
        job_name: 'vectors',
        metrics_path: '/qdrant/metrics',
        scheme: 'https',
        tls_config: {insecure_skip_verify: true},
        static_configs: [{targets: ['10.0.0.1:443'], labels: {node: 'a'}}],
      },
      {job_name: 'elsewhere', static_configs: [{targets: ['vec.example:6333']}]},
    ])
  })

  it('merges an app into an exporter job of the same name and brackets IPv6 addresses', () => {
    const cfg = load(`
nodes:
  v6: {address: 'fd00::5', exporters: {node: {port: 9100, managedBy: process, process: x}}}
services:
  prometheus: {node: v6, port: 9090}
apps:
  sidecar: {node: v6, port: 9200, metrics: /metrics, job: node}
`)
    expect(renderScrapeConfigs(cfg)).toEqual([
      {job_name: 'node', static_configs: [{targets: ['[fd00::5]:9100', '[fd00::5]:9200'], labels: {node: 'v6'}}]},
    ])
  })
})

describe('renderPrometheusYaml', () => {
  it('renders global, alerting, rule files and scrape configs', () => {
    const cfg = load(DEFAULT_CONFIG_YAML)
    const text = renderPrometheusYaml(cfg, {ruleFiles: ['/etc/prometheus/rules/hydra-alerts.yml'], scrapeInterval: '1s'})
    expect(text.startsWith('# prometheus.yml rendered by hydra')).toBe(true)
    const doc = parse(text)
    expect(doc.global).toEqual({scrape_interval: '15s', evaluation_interval: '15s'})
    expect(doc.alerting).toEqual({alertmanagers: [{static_configs: [{targets: ['192.168.1.244:9093']}]}]})
    expect(doc.rule_files).toEqual(['/etc/prometheus/rules/hydra-alerts.yml'])
    expect(doc.scrape_configs).toEqual(renderScrapeConfigs(cfg, {scrapeInterval: '1s'}))
  })

  it('takes explicit alertmanagers as host:port or URLs and omits alerting when there are none', () => {
    const cfg = load(SMALL)
    const doc = parse(
      renderPrometheusYaml(cfg, {
        globalScrapeInterval: '1s',
        evaluationInterval: '2s',
        alertmanagers: ['127.0.0.1:9093', 'https://am.example/am/'],
        externalLabels: {cluster: 'x'},
      }),
    )
    expect(doc.global).toEqual({scrape_interval: '1s', evaluation_interval: '2s', external_labels: {cluster: 'x'}})
    expect(doc.alerting.alertmanagers).toEqual([
      {static_configs: [{targets: ['127.0.0.1:9093']}]},
      {scheme: 'https', path_prefix: '/am', static_configs: [{targets: ['am.example:443']}]},
    ])
    expect(parse(renderPrometheusYaml(cfg))).not.toHaveProperty('alerting')
  })

  // promtool comes with Debian's prometheus package, which scripts/install-deps.sh --lab installs;
  // without it this test fails rather than skips
  it('passes promtool check config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hydra-scrape-'))
    try {
      const rules = join(dir, 'rules.yml')
      writeFileSync(rules, 'groups: []\n')
      for (const [name, text] of [
        ['default', renderPrometheusYaml(load(DEFAULT_CONFIG_YAML), {ruleFiles: [rules], scrapeInterval: '1s'})],
        ['small', renderPrometheusYaml(load(SMALL), {globalScrapeInterval: '1s', scrapeTimeout: '500ms', alertmanagers: ['127.0.0.2:9093']})],
      ] as const) {
        const file = join(dir, `${name}.yml`)
        writeFileSync(file, text)
        const r = spawnSync('promtool', ['check', 'config', file], {encoding: 'utf8'})
        expect(r.status, `${name}: ${r.stdout}${r.stderr}`).toBe(0)
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
