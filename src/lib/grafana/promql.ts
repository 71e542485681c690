/**
 * The metric names a dashboard's PromQL uses, parsed with @prometheus-io/lezer-promql (the grammar
 * of Prometheus' own web UI) after Grafana's template variables are substituted: `$__rate_interval`,
 * `$__interval`, `[$__range]` become a duration, `$__range_s`-style numbers a number, and any other
 * variable (`$instance`, `${var}`, `${var:regex}`, `[[var]]`) a placeholder that is a label value
 * inside quotes and an identifier elsewhere (never mistaken for a metric). Pure functions.
 */
import {parser} from '@prometheus-io/lezer-promql'

export interface PromqlMetrics {
  /** metric names selected by name (`foo{…}` or `{__name__="foo"}`) */
  metrics: string[]
  /** `{__name__=~"…"}` selectors: a pattern, not a name */
  patterns: string[]
  /** the expression did not parse (after substitution): where */
  error?: string
  /** the expression as parsed */
  substituted: string
}

const PLACEHOLDER = '__hydra_var'
const DURATION_VARS = new Set(['__interval', '__rate_interval', '__range', '__auto'])
const NUMBER_VARS = /^__(interval_ms|range_s|range_ms|from|to)$/

/** `$name`, `${name}`, `${name:format}`, `[[name]]`, `[[name:format]]` */
const VARIABLE = /\$\{([A-Za-z0-9_.]+)(?::[^}]*)?\}|\[\[([A-Za-z0-9_.]+)(?::[^\]]*)?\]\]|\$([A-Za-z0-9_]+)/g

/** Replace Grafana variables so that the expression parses as PromQL. */
export function substituteVariables(expr: string): string {
  let out = ''
  let last = 0
  let quote: string | undefined
  let n = 0
  const quoteStateAt = (upTo: number) => {
    for (let i = last; i < upTo; i++) {
      const c = expr[i]!
      if (quote) {
        if (c === '\\') i++
        else if (c === quote) quote = undefined
      } else if (c === '"' || c === "'" || c === '`') quote = c
    }
  }
  for (const m of expr.matchAll(VARIABLE)) {
    const at = m.index
    quoteStateAt(at)
    const name = m[1] ?? m[2] ?? m[3] ?? ''
    let replacement: string
    if (quote) replacement = 'x'
    else if (DURATION_VARS.has(name)) replacement = '5m'
    else if (NUMBER_VARS.test(name)) replacement = '60'
    else replacement = `${PLACEHOLDER}${++n}`
    out += expr.slice(last, at) + replacement
    last = at + m[0].length
  }
  return out + expr.slice(last)
}

function unquote(literal: string): string {
  const q = literal[0]
  const body = literal.slice(1, -1)
  if (q === '`') return body
  return body.replace(/\\(.)/g, '$1')
}

/** The metric names (and __name__ patterns) of one PromQL expression with Grafana variables. */
export function metricsOfExpr(expr: string): PromqlMetrics {
  const substituted = substituteVariables(expr)
  const tree = parser.parse(substituted)
  const metrics = new Set<string>()
  const patterns = new Set<string>()
  let error: string | undefined
  tree.iterate({
    enter: (node) => {
      if (node.type.isError && error === undefined) {
        const near = substituted.slice(Math.max(0, node.from - 10), node.to + 10)
        error = `PromQL does not parse at character ${node.from + 1} (near ${JSON.stringify(near)})`
      }
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier')
        if (id) {
          const name = substituted.slice(id.from, id.to)
          if (!name.startsWith(PLACEHOLDER)) metrics.add(name)
        }
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'LabelMatcher') {
        const label = node.node.getChild('LabelName')
        const op = node.node.getChild('MatchOp')
        const value = node.node.getChild('StringLiteral')
        if (label && op && value && substituted.slice(label.from, label.to) === '__name__') {
          const v = unquote(substituted.slice(value.from, value.to))
          const o = substituted.slice(op.from, op.to)
          if (o === '=') metrics.add(v)
          else if (o === '=~') patterns.add(v)
        }
      }
    },
  })
  return {metrics: [...metrics].sort(), patterns: [...patterns].sort(), ...(error ? {error} : {}), substituted}
}
