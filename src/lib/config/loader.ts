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
import {closeSync, constants as fsConstants, existsSync, fstatSync, openSync, readSync} from 'node:fs'
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
  /** something the operator should know about how the config was found (printed on stderr) */
  warning?: string
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
  // HYDRA_CONFIG= (set, but empty) is almost always a script whose variable did not expand: say
  // which file is used instead, above all when that is the embedded default's real cluster
  const emptyEnv = env.HYDRA_CONFIG !== undefined
  const local = join(cwd, 'hydra.yaml')
  const user = userConfigPath(env, options.home)
  const found: ConfigSource = existsSync(local)
    ? {kind: 'cwd', path: local}
    : existsSync(user)
      ? {kind: 'user', path: user}
      : {kind: 'default', path: EMBEDDED}
  if (emptyEnv)
    found.warning = `warning: HYDRA_CONFIG is set but empty; using ${found.kind === 'default' ? 'the embedded default config (the runbook\'s 192.168.1.x cluster)' : found.path}`
  return found
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

/** A cluster config is a few KB; a file past this is not one (and reading it whole would cost memory). */
export const MAX_CONFIG_BYTES = 1024 * 1024
/** YAML aliases expanded at most this many times (an alias bomb expands exponentially). */
export const MAX_CONFIG_ALIASES = 100
/** Mappings and sequences nested at most this deep (hydra's schema needs 6). */
export const MAX_CONFIG_DEPTH = 64

/**
 * Reads a config file with limits: regular files only (a FIFO, /dev/zero or a directory never
 * blocks or fills memory), at most MAX_CONFIG_BYTES, valid UTF-8 text. Each refusal is a
 * ConfigError (exit 2) naming the file and the reason.
 */
export function readConfigFile(path: string, kind: ConfigSourceKind = 'flag'): string {
  const via = kind === 'env' ? ' (from $HYDRA_CONFIG)' : ''
  const refuse = (why: string, hint: string): never => {
    throw new ConfigError([{file: path, message: `cannot read config${via}: ${why}`}], {hint})
  }
  let fd: number
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait for one
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return refuse('no such file', 'create one with: hydra config init ' + path)
    if (code === 'EACCES' || code === 'EPERM') return refuse('permission denied', `make it readable by the user running hydra (ls -l ${path})`)
    if (code === 'EISDIR') return refuse('is a directory', 'point --config or $HYDRA_CONFIG at the config file inside it, e.g. <dir>/hydra.yaml')
    if (code === 'ENOTDIR') return refuse('a parent of the path is not a directory', 'check the path')
    if (code === 'ELOOP') return refuse('too many levels of symbolic links', 'check the path')
    return refuse(`${String(code ?? error)}`, 'check the path and its permissions')
  }
  try {
    const st = fstatSync(fd)
    if (st.isDirectory()) return refuse('is a directory', 'point --config or $HYDRA_CONFIG at the config file inside it, e.g. <dir>/hydra.yaml')
    if (!st.isFile()) {
      const what = st.isFIFO() ? 'a named pipe (FIFO)' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file'
      return refuse(`is ${what}, not a regular file`, 'hydra reads its config only from a regular file; write the config to a file first')
    }
    if (st.size > MAX_CONFIG_BYTES)
      return refuse(`is ${formatBytes(st.size)}, over the ${formatBytes(MAX_CONFIG_BYTES)} limit for a config file`, 'is this the right file? a cluster config is a few KB')
    const buf = Buffer.alloc(Math.min(st.size, MAX_CONFIG_BYTES) + 1)
    let n = 0
    for (;;) {
      let r: number
      try {
        r = readSync(fd, buf, n, buf.length - n, null)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        return refuse(code === 'EISDIR' ? 'is a directory' : `read failed: ${String(code ?? error)}`, 'check the file')
      }
      if (r === 0) break
      n += r
      if (n >= buf.length) return refuse(`grew past the ${formatBytes(MAX_CONFIG_BYTES)} limit for a config file while being read`, 'is this the right file?')
    }
    return decodeConfigText(buf.subarray(0, n), refuse)
  } finally {
    closeSync(fd)
  }
}

function decodeConfigText(bytes: Buffer, refuse: (why: string, hint: string) => never): string {
  const saveAsUtf8 = 'save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 FILE > hydra.yaml)'
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return refuse('is UTF-16 text (it starts with a UTF-16 byte-order mark); hydra reads UTF-8', saveAsUtf8)
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    // UTF-16 without a BOM puts a NUL beside every ASCII character
    const utf16 = bytes.length >= 4 && (bytes[1] === 0 || bytes[0] === 0)
    return utf16
      ? refuse('looks like UTF-16 text (NUL bytes between the characters); hydra reads UTF-8', saveAsUtf8)
      : refuse(`is not text: it holds a NUL byte at offset ${nul}`, 'is this the right file?')
  }
  try {
    const text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    return refuse('is not valid UTF-8 text', saveAsUtf8)
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`
  return `${n} bytes`
}

/**
 * The deepest nesting the text can hold, measured without parsing: flow brackets, and the column
 * where a line's content starts after its indentation and `- `/`? ` markers (block nesting can
 * never be deeper than that). A guard for the YAML parser, which recurses once per level.
 */
function nestingBound(text: string): {flow: number; column: number; line: number} {
  let worst = {flow: 0, column: 0, line: 1}
  let flow = 0
  let line = 1
  let quote: string | undefined
  let comment = false
  let atLineStart = true
  let col = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\n') {
      line++
      comment = false
      atLineStart = true
      col = 0
      continue
    }
    if (atLineStart) {
      if (c === ' ' || c === '\t' || ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\n'))) {
        col++
        if (col > worst.column) worst = {...worst, column: col, line}
        continue
      }
      atLineStart = false
    }
    if (comment) continue
    if (quote) {
      if (c === quote && !(quote === '"' && text[i - 1] === '\\')) quote = undefined
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true
    else if (c === '[' || c === '{') {
      flow++
      if (flow > worst.flow) worst = {...worst, flow, line}
    } else if ((c === ']' || c === '}') && flow > 0) flow--
  }
  return worst
}

/** Parse and validate config text; throws ConfigError with every problem located. */
export function parseConfigText(text: string, file: string): HydraConfigRaw {
  if (text.length > MAX_CONFIG_BYTES)
    throw new ConfigError([{file, message: `the config is ${formatBytes(text.length)}, over the ${formatBytes(MAX_CONFIG_BYTES)} limit for a config file`}])
  // a guard before parsing: flow brackets nest one level each; indentation is allowed 4 columns a level
  const bound = nestingBound(text)
  if (bound.flow > MAX_CONFIG_DEPTH || bound.column > MAX_CONFIG_DEPTH * 4)
    throw new ConfigError([{file, line: bound.line, col: 1, message: `nested too deeply (more than ${MAX_CONFIG_DEPTH} levels); a hydra config needs about 6`}])
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: false, prettyErrors: false, strict: true})
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return {}
    const lp = lineCounter.linePos(offset)
    return {line: lp.line, col: lp.col}
  }

  if (doc.errors.length > 0) {
    if (doc.errors.some((e) => /call stack/i.test(e.message)))
      throw new ConfigError([{file, ...pos(doc.errors[0]!.pos[0]), message: `nested too deeply (more than ${MAX_CONFIG_DEPTH} levels); a hydra config needs about 6`}])
    throw new ConfigError(
      doc.errors.map((e) => ({file, ...pos(e.pos[0]), message: `YAML syntax error: ${firstLine(e.message)}`})),
    )
  }

  const deep = tooDeep(doc.contents)
  if (deep)
    throw new ConfigError([{file, ...pos(deep.range?.[0]), message: `nested too deeply (more than ${MAX_CONFIG_DEPTH} levels); a hydra config needs about 6`}])

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

  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: MAX_CONFIG_ALIASES})
  } catch (error) {
    // the yaml package throws a ReferenceError for an alias expanded too often (an "alias bomb")
    const why = error instanceof Error && /alias/i.test(error.message) ? `YAML aliases expand more than ${MAX_CONFIG_ALIASES} times (an alias bomb?)` : `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`
    throw new ConfigError([{file, message: why}])
  }
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    const empty = text.trim() === '' || data === null || data === undefined
    throw new ConfigError([{file, line: 1, col: 1, message: empty ? 'the config is empty; expected a mapping with cluster, nodes and services' : 'expected a mapping with cluster, nodes and services'}])
  }
  // jitless: zod's eval-compiled fast path pays for itself only over many parses; hydra parses its
  // config once per run, and compiling the schema's object parsers cost more than parsing (~25-40 ms
  // of CPU at every start, measured on the lab config)
  const result = ConfigSchema.safeParse(data, {jitless: true})
  if (result.success) return result.data
  throw new ConfigError(result.error.issues.map((issue) => issueToProblem(issue, doc, file, pos)))
}

/** The first node nested deeper than MAX_CONFIG_DEPTH, if any (iterative: no recursion to overflow). */
function tooDeep(root: unknown): YamlNode | undefined {
  const stack: {node: unknown; depth: number}[] = [{node: root, depth: 0}]
  while (stack.length > 0) {
    const {node, depth} = stack.pop()!
    if (!isMap(node) && !isSeq(node)) continue
    if (depth >= MAX_CONFIG_DEPTH) return node as YamlNode
    for (const item of node.items as unknown[]) {
      if (isPair(item)) stack.push({node: item.value, depth: depth + 1}, {node: item.key, depth: depth + 1})
      else stack.push({node: item, depth: depth + 1})
    }
  }
  return undefined
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
