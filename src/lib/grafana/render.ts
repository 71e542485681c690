/**
 * The Grafana commands for a person: `dashboards check`, `dashboards list`, `dashboards import` and
 * `datasources`. Pure functions of the report and {style, tty}.
 */
import {renderTable} from '../output/table.js'
import type {Styler} from '../output/terminal.js'
import type {CheckReport} from './check.js'
import type {DatasourceRow, DatasourcesReport} from './datasources.js'
import {addCommand, gnetLookupNote, type DashboardListReport, type ListedDashboard} from './expected.js'
import type {ImportResult} from './import.js'
import {counted} from '../format.js'

export interface RenderOptions {
  style: Styler
  tty: boolean
}

/** `hydra dashboards check`: each dashboard ok, broken (with its broken panels) or not found, then the summary. */
export function renderDashboardCheck(r: CheckReport, {style}: Pick<RenderOptions, 'style'>): string {
  const out: string[] = []
  for (const d of r.dashboards) {
    const broken = d.panels.filter((p) => p.status === 'broken')
    const head = `${d.title} (${d.uid})${d.folderTitle ? ` in ${d.folderTitle}` : ''}`
    if (d.status === 'not-found') out.push(`${style('red', 'not found')}  ${d.uid}`)
    else if (broken.length === 0) out.push(`${style('green', 'ok')}      ${head}: ${counted(d.panels.length, 'panel')}`)
    else {
      out.push(`${style('red', 'broken')}  ${head}: ${broken.length} of ${counted(d.panels.length, 'panel')}`)
      for (const p of broken) {
        out.push(`    panel ${p.id ?? '?'} "${p.title}"${p.row ? ` (row ${p.row})` : ''}:`)
        for (const x of p.problems) out.push(`      ${x.refId ? `${x.refId}: ` : ''}${x.message}${x.replacement ? ` → use ${x.replacement}` : ''}`)
      }
    }
  }
  const s = r.summary
  out.push(`\n${counted(s.dashboards, 'dashboard')}, ${counted(s.panels, 'panel')}: ${s.brokenPanels} broken in ${counted(s.brokenDashboards, 'dashboard')} (${counted(r.metricsKnown, 'metric name')} in Prometheus)`)
  if (s.brokenPanels > 0) out.push('next: fix the queries named above in Grafana; for data sources: hydra datasources')
  return out.join('\n')
}

/** `hydra dashboards list`: the expected dashboards present or missing, the others in a table, the summary. */
export function renderDashboardList(r: DashboardListReport, {style, tty}: RenderOptions): string {
  const out: string[] = []
  if (r.expected.length > 0) {
    out.push('expected:')
    for (const e of r.expected) {
      const id = e.gnetId ? ` (grafana.com ${e.gnetId})` : e.uid ? ` (uid ${e.uid})` : ''
      out.push(`  ${e.present ? style('green', 'present') : style('red', 'missing')}  ${e.title}${id}${e.match ? ` → ${e.match.title} (${e.match.uid})` : ''}${e.gnetLookup ? ` (${gnetLookupNote(e.gnetLookup)})` : ''}`)
    }
  }
  const rest = r.dashboards.filter((d) => !d.expected)
  if (rest.length > 0) {
    out.push(r.expected.length > 0 ? '\nothers:' : '')
    out.push(renderTable([{header: 'title', value: (d: ListedDashboard) => d.title, maxWidth: 50}, {header: 'uid', value: (d) => d.uid}, {header: 'folder', value: (d) => d.folderTitle ?? 'General'}], rest, {tty}))
  }
  out.push(`\n${counted(r.dashboards.length, 'dashboard')}; ${r.expected.length - r.missing} of ${r.expected.length} expected present`)
  const missing = r.expected.filter((e) => !e.present)
  if (missing.length > 0) out.push(`next: ${missing.map((m) => addCommand(m)).join('; ')}`)
  return out.join('\n')
}

/** `hydra dashboards import`: the input mapping, then what was (or would be) done. */
export function renderImport(r: ImportResult, {style}: Pick<RenderOptions, 'style'>): string {
  const out = r.inputs.map((i) => `input ${i.name} = ${i.value} (${i.via})`)
  const where = r.folder ? ` into folder ${r.folder.title}${r.folder.created ? (r.dryRun ? ' (would be created)' : ' (created)') : ''}` : ''
  if (r.action === 'imported') out.push(`${style('green', 'imported')} ${r.title} (${r.uid})${where}${r.url ? `: ${r.url}` : ''}`, `next: hydra dashboards check ${r.uid}`)
  else if (r.action === 'refused') out.push(`${style('red', 'refused')} ${r.title}: ${r.detail}`)
  else out.push(`dry run: ${r.title} would be ${r.action === 'would-overwrite' ? 'saved over the existing one' : 'imported'}${where}${r.detail ? `; ${r.detail}` : ''}`)
  return out.join('\n')
}

/** `hydra datasources`: one row per data source, the notes and problems, the summary. */
export function renderDatasources(r: DatasourcesReport, {style, tty}: RenderOptions): string {
  const health = (d: DatasourceRow) => (d.health.status === 'ok' ? style('green', 'ok') : d.health.status === 'error' ? style('red', 'error') : 'unknown')
  const target = (d: DatasourceRow) =>
    !d.target ? '-' : d.target.verdict === 'same' ? `config's ${d.target.service}` : d.target.verdict === 'elsewhere' ? style('red', 'elsewhere') : 'unknown'
  const out = [
    renderTable(
      [
        {header: 'name', value: (d: DatasourceRow) => d.name, maxWidth: 30},
        {header: 'uid', value: (d) => d.uid},
        {header: 'type', value: (d) => d.type},
        {header: 'url', value: (d) => d.url, maxWidth: 40},
        {header: 'default', value: (d) => (d.isDefault ? 'yes' : '')},
        {header: 'health', value: health},
        {header: 'target', value: target},
      ],
      r.datasources,
      {tty},
    ),
  ]
  if (!r.healthSupported) out.push(`note: Grafana ${r.grafana.version} has no data-source health check (it came in 9.0); health is unknown`)
  for (const d of r.datasources) for (const p of d.problems) out.push(`${d.name} (${d.uid}): ${p}`)
  for (const d of r.datasources.filter((x) => x.health.status === 'unknown' && r.healthSupported)) out.push(`${d.name}: health unknown: ${d.health.message}`)
  out.push(`\n${counted(r.datasources.length, 'data source')}, ${r.problems} with problems`)
  if (r.problems > 0) out.push('next: fix the URL in Grafana (Connections > Data sources), then hydra dashboards check')
  return out.join('\n')
}
