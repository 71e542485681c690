/**
 * Finds, parses and validates the cluster config.
 *
 * Discovery order (design.md §3): --config, $HYDRA_CONFIG, ./hydra.yaml, the user config dir
 * (~/.config/hydra/config.yaml, or $XDG_CONFIG_HOME/hydra/config.yaml), then the embedded default.
 *
 * Every problem is reported as file:line:col, the dotted key path and what was expected. YAML is
 * parsed with the `yaml` package's Document API so that each schema issue path can be mapped back
 * to the node it came from.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join, resolve as resolvePath} from 'node:path'

import {isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode} from 'yaml'
import type {z} from 'zod'

import {ConfigError, type ConfigProblem} from '../errors.js'
import {DEFAULT_CONFIG_YAML, defaultAssumptions} from './default-config.js'
import {resolveConfig, type HydraConfig, type ResolveOptions} from './resolve.js'
import {ConfigSchema, isInlineSecretKey, type HydraConfigRaw} from './schema.js'

export type ConfigSourceKind = 'flag' | 'env' | 'cwd' | 'user' | 'default'

export interface ConfigSource {
  kind: ConfigSourceKind
  /** absolute path, or `(embedded default)` */
  path: string
}

export interface LoadedConfig {
  config: HydraConfig
  source: ConfigSource
  /** the assumptions the embedded default makes (empty for a user's file) */
  assumptions: string[]
}

export const EMBEDDED = '(embedded default)'

export interface DiscoverOptions {
  flag?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  home?: string
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config')
  return join(base, 'hydra', 'config.yaml')
}

export function discoverConfig(options: DiscoverOptions = {}): ConfigSource {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  if (options.flag) return {kind: 'flag', path: resolvePath(cwd, options.flag)}
  if (env.HYDRA_CONFIG) return {kind: 'env', path: resolvePath(cwd, env.HYDRA_CONFIG)}
  const local = join(cwd, 'hydra.yaml')
  if (existsSync(local)) return {kind: 'cwd', path: local}
  const user = userConfigPath(env, options.home)
  if (existsSync(user)) return {kind: 'user', path: user}
  return {kind: 'default', path: EMBEDDED}
}

export function loadConfig(options: DiscoverOptions & ResolveOptions = {}): LoadedConfig {
  const source = discoverConfig(options)
  if (source.kind === 'default') {
    const raw = parseConfigText(DEFAULT_CONFIG_YAML, EMBEDDED)
    return {config: resolveConfig(raw, options), source, assumptions: defaultAssumptions()}
  }
  const text = readConfigFile(source.path, source.kind)
  const raw = parseConfigText(text, source.path)
  return {config: resolveConfig(raw, options), source, assumptions: []}
}

export function readConfigFile(path: string, kind: ConfigSourceKind = 'flag'): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code)
    const via = kind === 'env' ? ' (from $HYDRA_CONFIG)' : ''
    throw new ConfigError([{file: path, message: `cannot read config${via}: ${why}`}], {
      hint: 'create one with: hydra config init ' + path,
    })
  }
}

/** Parse and validate config text; throws ConfigError with every problem located. */
export function parseConfigText(text: string, file: string): HydraConfigRaw {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: false, prettyErrors: false, strict: true})
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return {}
    const lp = lineCounter.linePos(offset)
    return {line: lp.line, col: lp.col}
  }

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({file, ...pos(e.pos[0]), message: `YAML syntax error: ${firstLine(e.message)}`})),
    )
  }

  const problems: ConfigProblem[] = []
  // Duplicated keys (a node defined twice) would silently lose one definition: catch them first.
  walkMaps(doc.contents, [], (path, keyNode, key, seen) => {
    if (seen) problems.push({file, ...pos(keyNode.range?.[0]), keyPath: fmtPath([...path, key]), message: `duplicate key ${JSON.stringify(key)}`})
  })
  // Inline secrets get a message of their own: they must never be in the file at all.
  walkMaps(doc.contents, [], (path, keyNode, key) => {
    if (isInlineSecretKey(key))
      problems.push({
        file,
        ...pos(keyNode.range?.[0]),
        keyPath: fmtPath([...path, key]),
        message: `a secret is written inline; secrets must not be stored in the config: use ${key === 'password' ? 'passwordEnv or passwordFile' : 'tokenEnv or tokenFile'}`,
      })
  })
  if (problems.length > 0) throw new ConfigError(problems)

  const data: unknown = doc.toJS({maxAliasCount: 100})
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([{file, line: 1, col: 1, message: 'expected a mapping with cluster, nodes and services'}])
  }
  const result = ConfigSchema.safeParse(data)
  if (result.success) return result.data
  throw new ConfigError(result.error.issues.map((issue) => issueToProblem(issue, doc, file, pos)))
}

function issueToProblem(
  issue: z.core.$ZodIssue,
  doc: Document,
  file: string,
  pos: (offset: number | undefined) => {line?: number; col?: number},
): ConfigProblem {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!
    const keyNode = findKeyNode(doc, path, key)
    return {
      file,
      ...pos(keyNode?.range?.[0]),
      keyPath: fmtPath([...path, key]),
      message: `unknown key ${JSON.stringify(key)}${issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => JSON.stringify(k)).join(', ')})` : ''}`,
    }
  }
  const node = findValueNode(doc, path)
  let message = issue.message
  if (issue.code === 'invalid_type' && node && isScalar(node)) {
    message = `${issue.message.replace(/^Invalid input: /, '')}, got ${describeValue(node.value)}`
  } else if (issue.code === 'invalid_type' && !node) {
    message = `missing required key ${JSON.stringify(String(path[path.length - 1] ?? ''))} (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`
  } else if ((issue.code === 'too_big' || issue.code === 'too_small' || issue.code === 'invalid_format') && node && isScalar(node) && !/got /.test(message)) {
    message = `${message}, got ${describeValue(node.value)}`
  } else if (issue.code === 'invalid_value' && node && isScalar(node)) {
    message = `${message.replace(/^Invalid option: /, '')}, got ${describeValue(node.value)}`
  }
  // a missing key has no node of its own: point at the parent mapping
  const at = node ?? findValueNode(doc, path.slice(0, -1))
  return {file, ...pos(at?.range?.[0]), keyPath: fmtPath(path), message}
}

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)
  return String(v)
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function fmtPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

function keyString(k: unknown): string {
  return isScalar(k) ? String(k.value) : String(k)
}

function walkMaps(
  node: unknown,
  path: (string | number)[],
  visit: (path: (string | number)[], keyNode: YamlNode, key: string, duplicate: boolean) => void,
): void {
  if (isMap(node)) {
    const seen = new Set<string>()
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = keyString(pair.key)
      visit(path, pair.key as YamlNode, key, seen.has(key))
      seen.add(key)
      walkMaps(pair.value, [...path, key], visit)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkMaps(item, [...path, i], visit))
  }
}

function findValueNode(doc: Document, path: (string | number)[]): YamlNode | undefined {
  let node: unknown = doc.contents
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyString(p.key) === String(seg))
      if (!pair) return undefined
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg]
    } else return undefined
  }
  return (node ?? undefined) as YamlNode | undefined
}

function findKeyNode(doc: Document, path: (string | number)[], key: string): YamlNode | undefined {
  const parent = findValueNode(doc, path)
  if (!isMap(parent)) return undefined
  const pair = parent.items.find((p) => isPair(p) && keyString(p.key) === key)
  return pair?.key as YamlNode | undefined
}
