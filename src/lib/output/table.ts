/**
 * Tables: cli-table3 boxes on a terminal, plain aligned columns otherwise (fit for a cron mail,
 * grep and awk). Pure: rows in, string out.
 */
import Table from 'cli-table3'

export interface Column<Row> {
  header: string
  value: (row: Row) => string
  /** cap the width of this column (long errors are wrapped on a TTY, cut in plain output) */
  maxWidth?: number
}

export interface TableOptions {
  tty: boolean
  /** colouring already applied to cells is measured correctly by cli-table3 */
  wrap?: boolean
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/g
const visibleLength = (s: string) => s.replace(ANSI, '').length

export function renderTable<Row>(columns: Column<Row>[], rows: Row[], options: TableOptions): string {
  const cells = rows.map((r) => columns.map((c) => oneLine(c.value(r))))
  if (options.tty) {
    const table = new Table({
      head: columns.map((c) => c.header),
      style: {head: [], border: []},
      wordWrap: true,
      wrapOnWordBoundary: false,
      colWidths: columns.map((c, i) => {
        const widest = Math.max(visibleLength(c.header), ...cells.map((row) => visibleLength(row[i] ?? '')))
        return c.maxWidth ? Math.min(widest, c.maxWidth) + 2 : widest + 2
      }),
    })
    for (const row of cells) table.push(row)
    return table.toString()
  }
  const all = [columns.map((c) => c.header.toUpperCase()), ...cells]
  const widths = columns.map((c, i) => Math.max(...all.map((row) => visibleLength(row[i] ?? ''))))
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(Math.max(0, widths[i]! - visibleLength(cell)))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim()
}
