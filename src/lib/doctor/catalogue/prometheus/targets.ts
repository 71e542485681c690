/** targets:prometheus — every target that is not one of the config's exporters (those have target:… checks) is up. */
import type {HydraConfig} from '../../../config/resolve.js'
import {diagnoseDownTarget} from '../../diagnose.js'
import type {Check} from '../../model.js'
import {targetForExporter} from '../exporter-target.js'
import {prometheusApiCheck} from './api-check.js'

export function targetsCheck(cfg: HydraConfig): Check {
  const known = cfg.nodes.flatMap((n) => n.exporters)
  return prometheusApiCheck(cfg, 'targets', 'every other Prometheus target is up', async (ctx) => {
    const report = await ctx.resources.targets()
    // VictoriaMetrics without -promscrape.config, Mimir: the targets live elsewhere, not "all up"
    if (report.notScraping) return {status: 'fail', cause: 'not_scraping', detail: report.notScraping.message, hint: report.notScraping.hint}
    const mine = new Set(known.map((e) => targetForExporter(report.targets, e)).filter(Boolean))
    const others = report.targets.filter((t) => !mine.has(t))
    const down = others.filter((t) => t.health === 'down')
    if (down.length === 0) return {status: 'ok', detail: `${report.summary.up}/${report.summary.total} targets up`}
    const diagnoses = down.map((t) => {
      const node = t.node ? cfg.nodes.find((n) => n.name === t.node) : undefined
      const app = cfg.apps.find((a) => a.node !== undefined && a.node === t.node && Number(/:(\d+)$/.exec(t.instance)?.[1]) === Number(new URL(a.baseUrl).port))
      return {t, d: diagnoseDownTarget({target: t, node}), app}
    })
    return {
      status: 'fail',
      cause: 'targets_down',
      detail: `${down.length} target${down.length === 1 ? '' : 's'} down: ${down.map((t) => `${t.job} ${t.instance}`).join(', ')}`,
      evidence: diagnoses.map(({t}) => `${t.job} ${t.instance}: ${t.lastError || t.health}`),
      hint: diagnoses.map(({t, d, app}) => (app ? `${t.instance} is ${app.id}: hydra health --only ${app.id}` : d.hint)).join('; '),
    }
  })
}
