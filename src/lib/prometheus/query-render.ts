/** `hydra query` for a person: "no data", a scalar or string as Prometheus gives it, or a table of series. Pure. */
import {renderTable} from '../output/table.js'
import {formatSeries, formatValue, type QueryResult, type QueryRow} from './query.js'

export function renderQueryResult(result: QueryResult, {tty}: {tty: boolean}): string {
  if (result.rows.length === 0) return 'no data'
  if (result.resultType === 'scalar' || result.resultType === 'string') return result.rows[0]!.raw
  const columns = [
    {header: 'series', value: (r: QueryRow) => formatSeries(r.metric, r.labels), maxWidth: 100},
    {header: result.kind === 'range' ? 'last' : 'value', value: (r: QueryRow) => formatValue(r.value)},
  ]
  if (result.kind === 'range') {
    columns.push({header: 'min', value: (r) => formatValue(r.min ?? Number.NaN)}, {header: 'max', value: (r) => formatValue(r.max ?? Number.NaN)}, {header: 'points', value: (r) => String(r.points ?? 0)})
  }
  return renderTable(columns, result.rows, {tty})
}
