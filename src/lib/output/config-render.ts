/** `hydra config show` and `hydra config validate` for a person. Pure. */
import {stringify} from 'yaml'

import {describeSource, type ConfigShowReport, type ConfigValidateReport} from '../config/report.js'
import type {Styler} from './terminal.js'
import {counted} from '../format.js'

/** The source as a comment, the config as YAML, then the embedded default's assumptions. */
export function renderConfigShow(report: ConfigShowReport, {style}: {style: Styler}): string {
  const out = [style('dim', `# source: ${describeSource(report.source)}`), stringify(report.config, {lineWidth: 0}).trimEnd()]
  if (report.assumptions.length > 0) out.push('\n# assumptions the embedded default makes (the runbook does not say):', ...report.assumptions.map((a) => `#  - ${a}`))
  return out.join('\n')
}

export function renderConfigValidate(r: ConfigValidateReport, {style}: {style: Styler}): string {
  return `${style('green', 'valid')}: ${r.file} (${counted(r.nodes, 'node')}, ${counted(r.exporters, 'exporter')}, ${counted(r.services, 'service')}, ${counted(r.apps, 'app')})`
}
