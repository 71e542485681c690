/** Writing the Prometheus text exposition format, for the stand-ins' /metrics. */

export type Labels = Record<string, string>

export interface MetricFamily {
  name: string
  help: string
  type: 'gauge' | 'counter' | 'untyped'
  samples: {labels?: Labels; value: number}[]
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

export function renderMetrics(families: MetricFamily[]): string {
  const lines: string[] = []
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`)
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {})
      const l = labels.length > 0 ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : ''
      lines.push(`${f.name}${l} ${formatValue(s.value)}`)
    }
  }
  return `${lines.join('\n')}\n`
}
