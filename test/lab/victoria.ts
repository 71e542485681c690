/**
 * VictoriaMetrics in the test lab (issue 12): the Prometheus-compatible backend a stack moves to
 * when it outgrows one Prometheus, from Debian's `victoria-metrics` package (1.79.5; the package
 * also ships vmalert). Two instances, started in parallel with the rest of the lab:
 *
 * - `victoria`: behind `-http.pathPrefix=/vm`, scraping the lab's exporters with `-promscrape.config`
 *   (the scrape_configs hydra renders, nothing else: VictoriaMetrics refuses unknown keys such as
 *   rule_files), `-retentionPeriod=15d`, and `-vmalert.proxyURL` to…
 * - `vmalert`: evaluating the lab's rules (every *.yml in test/lab/rules/) against `victoria`,
 *   writing recording-rule results and alert state back to it, and notifying a sink of its own
 *   (not the lab's Alertmanager: the Prometheus tests count what Alertmanager holds);
 * - `victoria-bare`: no vmalert, no scraping, no path prefix: the "rule engine elsewhere, vmagent
 *   scrapes" deployment, where hydra must say what it cannot see instead of reporting all clear.
 *
 * For each VictoriaMetrics the lab writes a hydra config: the lab's config with services.prometheus
 * pointing at it (`hydra-vm.yaml`, `hydra-vm-bare.yaml` in the state dir). Other suites use them
 * through `inject('lab').victoria` (global-setup.ts), e.g. the rules helper runs `hydra rules diff`
 * with `HYDRA_CONFIG=victoria.configPath` against vmalert, or reads `victoria.vmalertUrl`.
 */
import {copyFileSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {parseDocument, stringify} from 'yaml'

import type {HydraConfig} from '../../src/lib/config/resolve.js'
import {renderScrapeConfigs} from '../../src/lib/prometheus/scrape-config.js'
import {fetchActiveTargets, waitFor} from './control.js'
import {LAB_NODES} from './lab-config.js'
import {answers200, LabProcess} from './process.js'
import {readBody, send, Standin} from './standins/standin.js'

export const VICTORIA_PORTS = {victoria: 8428, victoriaBare: 8429, vmalert: 8880, vmalertNotifier: 8881} as const
export const VICTORIA_PATH_PREFIX = '/vm'

/** What tests need to reach the lab's VictoriaMetrics (also handed to them by global-setup.ts). */
export interface LabVictoria {
  /** hydra config: services.prometheus = VictoriaMetrics at /vm, scraping, with vmalert */
  configPath: string
  /** hydra config: services.prometheus = the bare VictoriaMetrics (no vmalert, no scraping, no prefix) */
  bareConfigPath: string
  /** http://127.0.0.2:8428/vm */
  url: string
  /** http://127.0.0.2:8880: vmalert itself (its own /api/v1/rules, /api/v1/alerts) */
  vmalertUrl: string
  /** http://127.0.0.2:8429 */
  bareUrl: string
  /** vmalert's -rule directory (every *.yml in it; a copy of test/lab/rules/ at start): a test may swap rule files in and GET vmalertUrl/-/reload */
  vmalertRulesDir: string
}

/** Where vmalert sends its notifications: accepts Alertmanager's POST /api/v2/alerts and keeps the last batch. */
export class VmalertNotifierSink extends Standin {
  readonly what = 'alert sink for vmalert (accepts Alertmanager v2 POST /api/v2/alerts)'
  private received: unknown[] = []

  constructor(host: string, port: number) {
    super({name: 'vmalert-notifier', node: 'hydra-storage', host, port})
    this.post('/api/v2/alerts', async ({req, res}) => {
      try {
        const batch = JSON.parse(await readBody(req)) as unknown
        if (Array.isArray(batch)) this.received = batch.slice(0, 100)
      } catch {
        /* vmalert always sends JSON; anything else is simply not kept */
      }
      send(res, 200, '')
    })
  }

  override getState(): unknown {
    return {lastBatch: this.received}
  }

  override resetState(): void {
    this.received = []
  }
}

export interface PreparedVictoria extends LabVictoria {
  processes: LabProcess[]
  standins: Standin[]
  /** every target of the scraping instance up (the bare one scrapes nothing) */
  waitForTargetsUp(timeoutMs: number): Promise<void>
}

export interface VictoriaOptions {
  stateDir: string
  /** the lab's resolved config: its exporters become the scrape targets */
  config: HydraConfig
  /** the lab's hydra config text, to derive the two variants from */
  configText: string
  scrapeInterval: string
  /** the lab's rules, e.g. <test/lab/rules>/*.yml: copied into the state dir, which vmalert's -rule reads */
  rulesGlob: string
  logsDir: string
}

/** The lab's hydra config with services.prometheus replaced. Pure. */
export function configWithPrometheus(configText: string, prometheus: Record<string, unknown>, comment: string): string {
  const doc = parseDocument(configText)
  doc.setIn(['services', 'prometheus'], doc.createNode(prometheus))
  doc.commentBefore = ` ${comment}\n${doc.commentBefore ?? ''}`
  return doc.toString({lineWidth: 0})
}

export function prepareVictoria(o: VictoriaOptions): PreparedVictoria {
  const host = LAB_NODES['hydra-storage']
  const p = VICTORIA_PORTS
  const dir = join(o.stateDir, 'victoria')
  mkdirSync(dir, {recursive: true})
  const url = `http://${host}:${p.victoria}${VICTORIA_PATH_PREFIX}`
  const bareUrl = `http://${host}:${p.victoriaBare}`
  const vmalertUrl = `http://${host}:${p.vmalert}`
  // vmalert reads its rules from the state dir, so a scenario can swap in rendered rules (as for Prometheus)
  const vmalertRulesDir = join(dir, 'rules')
  mkdirSync(vmalertRulesDir, {recursive: true})
  for (const f of readdirSync(dirname(o.rulesGlob)).filter((n) => n.endsWith('.yml'))) copyFileSync(join(dirname(o.rulesGlob), f), join(vmalertRulesDir, f))

  // only global.scrape_interval and scrape_configs: -promscrape.config is strict about unknown keys
  const scrapeConfigPath = join(dir, 'scrape.yml')
  writeFileSync(
    scrapeConfigPath,
    `# -promscrape.config of the lab's VictoriaMetrics, rendered by hydra from the lab config\n${stringify({global: {scrape_interval: o.scrapeInterval}, scrape_configs: renderScrapeConfigs(o.config)}, {lineWidth: 0})}`,
  )

  const configPath = join(o.stateDir, 'hydra-vm.yaml')
  writeFileSync(
    configPath,
    configWithPrometheus(
      o.configText,
      // VictoriaMetrics has no size-based retention: the config expects only what it can do
      {node: 'hydra-storage', port: p.victoria, pathPrefix: VICTORIA_PATH_PREFIX, retention: {time: '15d'}, configPath: scrapeConfigPath},
      'services.prometheus is the lab\'s VictoriaMetrics (test/lab/victoria.ts): /vm path prefix, scraping, vmalert attached',
    ),
  )
  const bareConfigPath = join(o.stateDir, 'hydra-vm-bare.yaml')
  writeFileSync(
    bareConfigPath,
    configWithPrometheus(
      o.configText,
      {node: 'hydra-storage', port: p.victoriaBare, retention: {time: '15d'}},
      "services.prometheus is the lab's bare VictoriaMetrics (test/lab/victoria.ts): no vmalert, scrapes nothing",
    ),
  )

  // one VictoriaMetrics single node: what both instances share, plus each one's own flags
  const victoriaMetrics = (name: string, what: string, port: number, base: string, data: string, own: string[]) =>
    new LabProcess({
      name,
      what: `victoria-metrics (Debian package), ${what}`,
      node: 'hydra-storage',
      address: host,
      port,
      command: 'victoria-metrics',
      args: [
        `-httpListenAddr=${host}:${port}`,
        ...own,
        `-storageDataPath=${join(dir, data)}`,
        '-retentionPeriod=15d',
        // fresh samples are visible at once (the default 30s offset hides a lab that just started)
        '-search.latencyOffset=1s',
        '-loggerLevel=WARN',
        '-memory.allowedBytes=64MiB',
      ],
      logFile: join(o.logsDir, `${name}.log`),
      ready: () => answers200(`${base}/-/ready`),
    })
  const victoria = victoriaMetrics('victoria', '-http.pathPrefix=/vm, scraping, -vmalert.proxyURL', p.victoria, url, 'data', [
    `-http.pathPrefix=${VICTORIA_PATH_PREFIX}`,
    `-promscrape.config=${scrapeConfigPath}`,
    '-promscrape.suppressScrapeErrors',
    `-vmalert.proxyURL=${vmalertUrl}`,
  ])
  const vmalert = new LabProcess({
    name: 'vmalert',
    what: 'vmalert (Debian package victoria-metrics)',
    node: 'hydra-storage',
    address: host,
    port: p.vmalert,
    command: 'vmalert',
    args: [
      `-httpListenAddr=${host}:${p.vmalert}`,
      `-datasource.url=${url}`,
      `-remoteWrite.url=${url}`,
      `-rule=${join(vmalertRulesDir, '*.yml')}`,
      `-evaluationInterval=${o.scrapeInterval}`,
      `-notifier.url=http://${host}:${p.vmalertNotifier}`,
      '-loggerLevel=ERROR',
    ],
    logFile: join(o.logsDir, 'vmalert.log'),
    ready: () => answers200(`${vmalertUrl}/-/healthy`),
  })
  const bare = victoriaMetrics('victoria-bare', 'no vmalert, no scraping', p.victoriaBare, bareUrl, 'bare-data', [])

  return {
    configPath,
    bareConfigPath,
    url,
    vmalertUrl,
    bareUrl,
    vmalertRulesDir,
    processes: [victoria, vmalert, bare],
    standins: [new VmalertNotifierSink(host, p.vmalertNotifier)],
    async waitForTargetsUp(timeoutMs: number) {
      let last = 'no answer from VictoriaMetrics yet'
      try {
        await waitFor(
          async () => {
            const targets = await fetchActiveTargets(url)
            const notUp = targets.filter((t) => t.health !== 'up')
            last = notUp.map((t) => `${t.labels.job}/${t.labels.instance}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ')
            return targets.length > 0 && notUp.length === 0
          },
          timeoutMs,
          {intervalMs: 100, description: "every VictoriaMetrics target to be up"},
        )
      } catch {
        throw new Error(`the lab's VictoriaMetrics targets did not all come up within ${Math.round(timeoutMs / 1000)}s: ${last}`)
      }
    },
  }
}
