/**
 * The subset of LogQL the Loki stand-in evaluates (docs/sources/query/log_queries/_index.md,
 * metric_queries.md), with Loki's own error wording where a query is refused:
 *
 *   {a="x", b=~"y.+", c!="z", d!~"w"}            stream selector (at least one non-empty matcher)
 *   |= "s"   != "s"   |~ "re"   !~ "re"          line filters
 *   | json   | logfmt                            parsers (flat keys only)
 *   | name="v" | name!="v" | name=~"re" | name!~"re"   label filters, on stream labels,
 *                                                extracted labels and structured metadata (detected_level)
 *   count_over_time(<log query>[5m]), rate(<log query>[5m]), optionally inside sum(…) / sum by (l, …) (…)
 *
 * Anything else is refused with a 400, saying that the stand-in does not support it: a stand-in
 * must not pretend to answer a query it does not understand.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~'

export interface Matcher {
  name: string
  op: MatchOp
  value: string
}

export type Stage =
  | {kind: 'line'; op: '|=' | '!=' | '|~' | '!~'; value: string}
  | {kind: 'parser'; parser: 'json' | 'logfmt'}
  | {kind: 'label'; matcher: Matcher}

export interface LogQuery {
  selector: Matcher[]
  stages: Stage[]
}

export interface MetricQuery {
  fn: 'count_over_time' | 'rate'
  range: number
  inner: LogQuery
  /** sum(...) or sum by (...) (...) around it */
  sum?: {by?: string[]}
}

export class LogqlError extends Error {}

const RANGE_UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

class Lexer {
  pos = 0
  constructor(readonly text: string) {}

  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++
  }

  eof(): boolean {
    this.ws()
    return this.pos >= this.text.length
  }

  /** Loki's parse errors are 1-based line/col; queries here are one line */
  fail(what: string): never {
    this.ws()
    const found = this.pos >= this.text.length ? '$end' : JSON.stringify(this.text.slice(this.pos, this.pos + 8))
    throw new LogqlError(`parse error at line 1, col ${this.pos + 1}: syntax error: unexpected ${found}, expecting ${what}`)
  }

  peek(s: string): boolean {
    this.ws()
    return this.text.startsWith(s, this.pos)
  }

  take(s: string): boolean {
    if (!this.peek(s)) return false
    this.pos += s.length
    return true
  }

  expect(s: string): void {
    if (!this.take(s)) this.fail(s)
  }

  ident(): string {
    this.ws()
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))
    if (!m) this.fail('IDENTIFIER')
    this.pos += m[0].length
    return m[0]
  }

  string(): string {
    this.ws()
    const q = this.text[this.pos]
    if (q === '`') {
      const end = this.text.indexOf('`', this.pos + 1)
      if (end < 0) this.fail('`')
      const s = this.text.slice(this.pos + 1, end)
      this.pos = end + 1
      return s
    }
    if (q !== '"') this.fail('STRING')
    let i = this.pos + 1
    let out = ''
    while (i < this.text.length && this.text[i] !== '"') {
      if (this.text[i] === '\\' && i + 1 < this.text.length) {
        const c = this.text[i + 1]!
        out += c === 'n' ? '\n' : c === 't' ? '\t' : c
        i += 2
      } else out += this.text[i++]
    }
    if (i >= this.text.length) this.fail('"')
    this.pos = i + 1
    return out
  }

  matchOp(): MatchOp {
    for (const op of ['=~', '!~', '!=', '='] as const) if (this.take(op)) return op
    return this.fail('= or != or =~ or !~')
  }
}

function regex(value: string): RegExp {
  try {
    // Loki anchors label regexes fully (Prometheus semantics); (?i) is Go's flag syntax
    const insensitive = value.startsWith('(?i)')
    return new RegExp(`^(?:${insensitive ? value.slice(4) : value})$`, insensitive ? 'i' : '')
  } catch (error) {
    throw new LogqlError(`parse error : error parsing regexp: ${(error as Error).message}`)
  }
}

function lineRegex(value: string): RegExp {
  try {
    const insensitive = value.startsWith('(?i)')
    return new RegExp(insensitive ? value.slice(4) : value, insensitive ? 'i' : '')
  } catch (error) {
    throw new LogqlError(`parse error : error parsing regexp: ${(error as Error).message}`)
  }
}

export function matches(m: Matcher, value: string | undefined): boolean {
  const v = value ?? ''
  switch (m.op) {
    case '=':
      return v === m.value
    case '!=':
      return v !== m.value
    case '=~':
      return regex(m.value).test(v)
    case '!~':
      return !regex(m.value).test(v)
  }
}

function parseSelector(lx: Lexer): Matcher[] {
  lx.expect('{')
  const out: Matcher[] = []
  if (!lx.peek('}')) {
    do {
      const name = lx.ident()
      const op = lx.matchOp()
      const value = lx.string()
      if (op === '=~' || op === '!~') regex(value)
      out.push({name, op, value})
    } while (lx.take(','))
  }
  if (!lx.take('}')) lx.fail('} or ,')
  if (!out.some((m) => !matches(m, ''))) {
    throw new LogqlError(
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    )
  }
  return out
}

function parseStages(lx: Lexer, stop: (lx: Lexer) => boolean): Stage[] {
  const stages: Stage[] = []
  while (!lx.eof() && !stop(lx)) {
    const lineOp = (['|=', '!=', '|~', '!~'] as const).find((op) => lx.take(op))
    if (lineOp) {
      const value = lx.string()
      if (lineOp === '|~' || lineOp === '!~') lineRegex(value)
      stages.push({kind: 'line', op: lineOp, value})
      continue
    }
    if (!lx.take('|')) lx.fail('| or a line filter')
    const name = lx.ident()
    if (name === 'json' || name === 'logfmt') {
      stages.push({kind: 'parser', parser: name})
      continue
    }
    if (['pattern', 'regexp', 'unpack', 'line_format', 'label_format', 'drop', 'keep', 'decolorize', 'unwrap'].includes(name)) {
      throw new LogqlError(`the hydra lab's Loki stand-in does not support the ${name} stage`)
    }
    const op = lx.matchOp()
    const value = lx.string()
    if (op === '=~' || op === '!~') regex(value)
    stages.push({kind: 'label', matcher: {name, op, value}})
  }
  return stages
}

export function parseLogQuery(text: string): LogQuery {
  const lx = new Lexer(text)
  const q = parseLogQueryAt(lx, () => false)
  if (!lx.eof()) lx.fail('end of query')
  return q
}

function parseLogQueryAt(lx: Lexer, stop: (lx: Lexer) => boolean): LogQuery {
  const selector = parseSelector(lx)
  return {selector, stages: parseStages(lx, stop)}
}

function parseRange(lx: Lexer): number {
  lx.expect('[')
  lx.ws()
  const m = /^(\d+)(ms|s|m|h|d)/.exec(lx.text.slice(lx.pos))
  if (!m) lx.fail('DURATION')
  lx.pos += m[0].length
  lx.expect(']')
  return Number(m[1]) * RANGE_UNITS[m[2]!]!
}

function parseRangeAggregation(lx: Lexer): Omit<MetricQuery, 'sum'> {
  const fn = lx.ident()
  if (fn !== 'count_over_time' && fn !== 'rate') throw new LogqlError(`the hydra lab's Loki stand-in does not support ${fn}()`)
  lx.expect('(')
  const inner = parseLogQueryAt(lx, (l) => l.peek('['))
  const range = parseRange(lx)
  lx.expect(')')
  return {fn, range, inner}
}

/** A whole query: a log query, or a metric query over one. */
export function parseQuery(text: string): {log: LogQuery} | {metric: MetricQuery} {
  const lx = new Lexer(text)
  if (lx.peek('{')) {
    const log = parseLogQueryAt(lx, () => false)
    if (!lx.eof()) lx.fail('end of query')
    return {log}
  }
  let metric: MetricQuery
  if (lx.peek('sum')) {
    lx.expect('sum')
    let by: string[] | undefined
    if (lx.take('by')) {
      lx.expect('(')
      by = []
      if (!lx.peek(')')) do by.push(lx.ident())
      while (lx.take(','))
      lx.expect(')')
    }
    lx.expect('(')
    metric = {...parseRangeAggregation(lx), sum: by ? {by} : {}}
    lx.expect(')')
  } else if (/^\s*[a-z_]+\s*\(/.test(text)) {
    metric = parseRangeAggregation(lx)
  } else {
    return lx.fail('{ or a range aggregation')
  }
  if (!lx.eof()) lx.fail('end of query')
  return {metric}
}

export interface StoredEntry {
  ns: bigint
  line: string
  /** structured metadata, e.g. detected_level */
  metadata: Record<string, string>
}

export interface StoredStream {
  labels: Record<string, string>
  entries: StoredEntry[]
}

function extract(parser: 'json' | 'logfmt', line: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (parser === 'json') {
    // Loki's JSONParser (buger/jsonparser ObjectEach): a line that is not an object fails at once;
    // a broken object keeps the fields read before the break. Both set __error__ and __error_details__.
    if (!line.trimStart().startsWith('{')) return {__error__: 'JSONParserErr', __error_details__: "Value looks like object, but can't find closing '}' symbol"}
    try {
      const v = JSON.parse(line) as unknown
      if (v && typeof v === 'object' && !Array.isArray(v))
        for (const [k, x] of Object.entries(v)) if (x === null || typeof x !== 'object') out[k.replace(/[^A-Za-z0-9_]/g, '_')] = String(x)
    } catch {
      const field = /\s*"((?:[^"\\]|\\.)*)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)\s*[,}]/y
      field.lastIndex = line.indexOf('{') + 1
      for (let m = field.exec(line); m; m = field.exec(line)) out[m[1]!.replace(/[^A-Za-z0-9_]/g, '_')] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!
      out.__error__ = 'JSONParserErr'
      out.__error_details__ = 'Malformed JSON error'
    }
    return out
  }
  for (const m of line.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]!.replace(/[^A-Za-z0-9_]/g, '_')] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!
  }
  return out
}

/** The entries (with their output labels) of a log query in [start, end). */
export function evaluateLogQuery(
  q: LogQuery,
  streams: StoredStream[],
  start: bigint,
  end: bigint,
): {labels: Record<string, string>; entry: StoredEntry}[] {
  const out: {labels: Record<string, string>; entry: StoredEntry}[] = []
  for (const s of streams) {
    if (!q.selector.every((m) => matches(m, s.labels[m.name]))) continue
    for (const e of s.entries) {
      if (e.ns < start || e.ns >= end) continue
      let labels = {...s.labels}
      let keep = true
      for (const st of q.stages) {
        if (st.kind === 'line') {
          const hit = st.op === '|=' || st.op === '!=' ? e.line.includes(st.value) : lineRegex(st.value).test(e.line)
          keep = st.op === '|=' || st.op === '|~' ? hit : !hit
        } else if (st.kind === 'parser') {
          // extracted labels never overwrite stream labels: Loki suffixes them with _extracted
          const extracted = extract(st.parser, e.line)
          for (const [k, v] of Object.entries(extracted)) labels[k in s.labels ? `${k}_extracted` : k] = v
          labels = {...labels}
        } else {
          keep = matches(st.matcher, labels[st.matcher.name] ?? e.metadata[st.matcher.name])
        }
        if (!keep) break
      }
      if (keep) out.push({labels, entry: e})
    }
  }
  return out
}

/** A range-vector value at `at`: count or per-second rate of the entries in (at - range, at]. */
export function evaluateMetric(
  q: MetricQuery,
  streams: StoredStream[],
  at: bigint,
): {metric: Record<string, string>; value: number}[] {
  const rangeNs = BigInt(q.range) * 1_000_000n
  const hits = evaluateLogQuery(q.inner, streams, at - rangeNs + 1n, at + 1n)
  const groups = new Map<string, {metric: Record<string, string>; count: number}>()
  for (const h of hits) {
    let metric = h.labels
    if (q.sum) metric = q.sum.by ? Object.fromEntries(q.sum.by.filter((l) => h.labels[l] !== undefined).map((l) => [l, h.labels[l]!])) : {}
    const key = JSON.stringify(Object.entries(metric).sort())
    const g = groups.get(key) ?? {metric, count: 0}
    g.count++
    groups.set(key, g)
  }
  return [...groups.values()].map((g) => ({metric: g.metric, value: q.fn === 'rate' ? g.count / (q.range / 1000) : g.count}))
}
