/**
 * `hydra rules render` as one call: live detection (unless offline), the rule file, and the
 * promtool tests for it.
 */
import {relative, dirname} from 'node:path'

import type {HydraConfig} from '../config/resolve.js'
import {ExitCode, type ExitCodeValue} from '../errors.js'
import type {PrometheusClient} from '../prometheus/client.js'
import type {GpuExporterKind} from '../views/gpu.js'
import {detectLive} from './detect.js'
import type {RenderedGroup, RulesContext, RulesSource} from './model.js'
import {promtoolTests, promtoolTestsYaml, rulesFromConfig, rulesHeader, rulesYaml, type ContextOverrides} from './render.js'

export interface RenderRulesOptions {
  /** do not ask Prometheus: render from the config alone */
  offline: boolean
  maxForMs?: number
  groups?: string[]
  /** override the GPU exporter(s), live or not */
  gpuExporters?: GpuExporterKind[]
  /** where the rule file and the tests file will be written, to reference one from the other */
  files?: {rules: string; tests: string}
}

export interface RulesRenderReport {
  source: RulesSource
  context: RulesContext
  groups: RenderedGroup[]
  rules: number
  yaml: string
  testsYaml?: string
  exitCode: ExitCodeValue
}

export async function renderClusterRules(cfg: HydraConfig, options: RenderRulesOptions, prom?: PrometheusClient): Promise<RulesRenderReport> {
  let overrides: ContextOverrides = {}
  let source: RulesSource = {mode: 'config', reason: 'offline: Prometheus not asked', notes: []}
  if (!options.offline && prom) ({overrides, source} = await detectLive(prom, cfg))
  if (options.gpuExporters && options.gpuExporters.length > 0) overrides.gpuExporters = options.gpuExporters
  const renderOptions = {maxForMs: options.maxForMs, groups: options.groups}
  const {context, defs, groups} = rulesFromConfig(cfg, renderOptions, overrides)
  const from = source.mode === 'live' ? `detected on ${source.prometheus}` : 'from the config alone'
  const yaml = rulesYaml(groups, rulesHeader(context, from))
  const testsYaml = options.files
    ? promtoolTestsYaml(promtoolTests(defs, relative(dirname(options.files.tests), options.files.rules) || options.files.rules, renderOptions))
    : undefined
  // Prometheus was meant to be asked and could not be: the file is usable, but partial
  const exitCode = !options.offline && source.mode === 'config' ? ExitCode.PARTIAL : ExitCode.OK
  return {source, context, groups, rules: groups.reduce((n, g) => n + g.rules.length, 0), yaml, testsYaml, exitCode}
}
