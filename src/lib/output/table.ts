/**
 * Tables: on a terminal, columns under a rule that fit the terminal's width; plain aligned columns
 * otherwise (fit for a cron mail, grep and awk). Widths are measured on VISIBLE characters (colour codes are not
 * counted, wide characters count twice), so a coloured cell never splits. On a terminal, a table
 * wider than the terminal narrows its long columns first and wraps their text at word
 * boundaries (a row's continuation lines leave its other columns blank); a long column that would
 * be left too narrow, or narrower than one of its words (a unit name, a URL: cut in two, it could
 * not be copied), moves under each row instead ("  error: …", wrapped to the terminal). When the
 * rest is still too wide, the other columns narrow down to their longest word, then the widest of
 * them (never the first, the row's name) moves under the row too: a word in a cell (an id to copy,
 * a time) is only ever cut when a single column is left and the word is wider than the terminal. A rule
 * under the header, none between rows. Pure: rows in, string out
 * (the width defaults to the terminal's when none is given).
 */
import wrapAnsi from 'wrap-ansi'

import {visibleWidth, wrapText} from './terminal.js'

export interface Column<Row> {
  header: string
  value: (row: Row) => string
  /** cap the width of this column on a terminal (longer text wraps) */
  maxWidth?: number
}

export interface TableOptions {
  tty: boolean
  /** terminal width in columns (default: process.stdout.columns, else 120) */
  width?: number
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/

export function renderTable<Row>(columns: Column<Row>[], rows: Row[], options: TableOptions): string {
  const cells = rows.map((r) => columns.map((c) => oneLine(c.value(r))))
  if (options.tty) return renderBox(columns, cells, options.width ?? (process.stdout.columns || 120))
  const all = [columns.map((c) => c.header.toUpperCase()), ...cells]
  const widths = columns.map((_, i) => Math.max(...all.map((row) => visibleWidth(row[i] ?? ''))))
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Column widths (content only) that fit `budget`, none below its `minimum` (so it may not fit). */
export function fitWidths(natural: number[], minimum: number[], budget: number): number[] {
  const widths = [...natural]
  let total = widths.reduce((a, b) => a + b, 0)
  // narrow the widest column that can still give, one column at a time
  while (total > budget) {
    let widest = -1
    for (let i = 0; i < widths.length; i++) if (widths[i]! > minimum[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
    if (widest < 0) break
    widths[widest]!--
    total--
  }
  return widths
}

function renderBox<Row>(columns: Column<Row>[], cells: string[][], width: number): string {
  const headers = columns.map((c) => c.header)
  const longestWord = columns.map((_, i) => Math.max(0, ...cells.map((row) => Math.max(0, ...(row[i] ?? '').split(/\s+/).map(visibleWidth)))))
  // maxWidth caps prose, not a word: a column is at least as wide as its longest word when there is room
  const natural = columns.map((c, i) => {
    const widest = Math.max(visibleWidth(headers[i]!), ...cells.map((row) => visibleWidth(row[i] ?? '')))
    return c.maxWidth ? Math.max(Math.min(widest, c.maxWidth), longestWord[i]!, visibleWidth(headers[i]!)) : widest
  })
  // a header, a coloured cell (a status word) and a short value (a node name, an address) are
  // never wrapped while a long column can give
  const minimum = columns.map((_, i) =>
    Math.min(
      natural[i]!,
      Math.max(
        visibleWidth(headers[i]!),
        ...cells.map((row) => (ANSI.test(row[i] ?? '') ? visibleWidth(row[i]!) : Math.min(visibleWidth(row[i] ?? ''), SHORT))),
      ),
    ),
  )
  // the long columns (those with a maxWidth, else the last) give first; one that would be left
  // narrower than LONG_FLOOR leaves the table and is printed under each row, at full width
  const long = new Set(columns.flatMap((c, i) => (c.maxWidth ? [i] : [])))
  if (long.size === 0) long.add(columns.length - 1)
  const inside = columns.map((_, i) => i)
  let widths: number[]
  for (;;) {
    const budget = width - GAP.length * (inside.length - 1)
    const floor = inside.map((i) => (long.has(i) ? Math.min(natural[i]!, Math.max(minimum[i]!, LONG_FLOOR)) : natural[i]!))
    widths = fitWidths(
      inside.map((i) => natural[i]!),
      floor,
      budget,
    )
    const fits = widths.reduce((a, b) => a + b, 0) <= budget
    const movable = inside.filter((i) => long.has(i) && inside.length > 1)
    // a long column too narrow for one of its words (a unit name, a URL) would cut it in two,
    // which no one can copy: it moves under its row too, where the word has the terminal's width
    const cutting = fits ? movable.filter((i) => widths[inside.indexOf(i)]! < longestWord[i]!) : movable
    if (cutting.length > 0) {
      inside.splice(inside.indexOf(cutting.reduce((a, b) => (natural[b]! > natural[a]! ? b : a))), 1)
      continue
    }
    if (fits) break
    // nothing long left to move: the short columns give too, down to their longest word (their
    // text then wraps between words, never inside one)
    widths = fitWidths(widths, inside.map((i) => Math.min(natural[i]!, Math.max(minimum[i]!, longestWord[i]!))), budget)
    if (widths.reduce((a, b) => a + b, 0) <= budget) break
    // still too wide (an 80-column terminal, a silence's id, matchers and end time): the widest
    // column but the first (the row's name) moves under its row, whole, and the rest is fitted again
    if (inside.length > 1) {
      inside.splice(inside.indexOf(inside.slice(1).reduce((a, b) => (natural[b]! > natural[a]! ? b : a))), 1)
      continue
    }
    // one column left, with a word wider than the terminal: only then is a word cut
    widths = fitWidths(widths, [3], budget)
    break
  }
  const below = columns.map((_, i) => i).filter((i) => !inside.includes(i))
  const line = (row: string[]) => {
    const wrapped = inside.map((c, k) => wrapAnsi(row[c] ?? '', widths[k]!, {hard: true, trim: true}).split('\n'))
    const height = Math.max(1, ...wrapped.map((w) => w.length))
    const out: string[] = []
    for (let k = 0; k < height; k++) out.push(wrapped.map((w, j) => (j === inside.length - 1 ? (w[k] ?? '') : pad(w[k] ?? '', widths[j]!))).join(GAP).trimEnd())
    for (const c of below) if (row[c]) out.push(wrapText(`  ${headers[c]}: ${row[c]}`, width, '    '))
    return out.join('\n')
  }
  return [line(headers.map((h, i) => (inside.includes(i) ? h : ''))), widths.map((w) => '─'.repeat(w)).join(GAP), ...cells.map(line)].join('\n')
}

/** columns apart by two spaces, as `docker ps` and `kubectl get` do */
const GAP = '  '
/** values up to this wide (node names, addresses, ages) are kept whole when a long column can give */
const SHORT = 16
/** a long column narrower than this moves under its row */
const LONG_FLOOR = 20

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleWidth(s)))
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim()
}
