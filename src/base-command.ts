/**
 * The one base command. It owns the global flags, loads the config once, and is the only place
 * where errors become output and exit codes (design.md §2):
 *   0 ok · 1 unhealthy/failed · 2 bad usage or config · 3 partial · 4 auth refused.
 * Under --json stdout carries exactly one JSON document, errors included; everything else
 * (progress, warnings) goes to stderr. No stack trace reaches the user unless HYDRA_DEBUG=1.
 */
import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import {loadConfig, type LoadedConfig} from './lib/config/loader.js'
import {BUILD} from './build-info.js'
import {durationFlag} from './flags.js'
import {BugError, ExitCode, HydraError, UserError, type ExitCodeValue} from './lib/errors.js'
import {commandName, envelope} from './lib/output/json/envelope.js'
import {detectTerminal, fitLines, fitNote, makeStyler, wrapLabelled, type Styler, type TerminalInfo} from './lib/output/terminal.js'
import {buildInfoMetric, writeTextfile, type Metric} from './lib/output/textfile.js'
import {redact} from './lib/secrets.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof HydraCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export const EXIT_CODES_HELP = `EXIT CODES
  0  all good
  1  something checked is unhealthy, or the operation failed
  2  bad usage or bad config
  3  partial success (some items failed)
  4  authentication refused`

export abstract class HydraCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      summary: 'Cluster config file (default: $HYDRA_CONFIG, ./hydra.yaml, ~/.config/hydra/config.yaml, then the embedded Hydra default).',
      helpGroup: 'GLOBAL',
    }),
    timeout: durationFlag({
      summary: 'Timeout for each network call, e.g. 5s, 800ms or 2 (seconds) (overrides defaults.timeout).',
      helpGroup: 'GLOBAL',
    }),
    'no-color': Flags.boolean({summary: 'Do not colour output (NO_COLOR is honoured too).', helpGroup: 'GLOBAL'}),
  }

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  protected term!: TerminalInfo
  protected style!: Styler
  private loaded?: LoadedConfig
  private exitCodeSet: ExitCodeValue = ExitCode.OK

  public override async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse(this.ctor)
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
    this.term = detectTerminal(process.stdout, process.env, Boolean(this.flags['no-color']))
    this.style = makeStyler(this.term.color && !this.jsonEnabled())
  }

  /** --timeout in ms, validated. */
  protected timeoutMs(): number | undefined {
    return this.flags.timeout as number | undefined
  }

  /** The resolved cluster config, loaded once. */
  protected config_(): LoadedConfig {
    if (!this.loaded) {
      this.loaded = loadConfig({flag: this.flags.config as string | undefined, timeoutMs: this.timeoutMs()})
      if (this.loaded.source.warning) this.note(this.loaded.source.warning)
    }
    return this.loaded
  }

  protected get cluster() {
    return this.config_().config
  }

  /**
   * oclif's run loop, plus the exit code: a command returns its lib report, and the report's own
   * `exitCode` (lib reports carry one) becomes the process's, the worst one winning.
   */
  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>()
    this.adoptExitCode(result)
    return result
  }

  private adoptExitCode(result: unknown): void {
    const code = (result as {exitCode?: unknown} | undefined)?.exitCode
    if (isExitCode(code)) this.setExitCode(code)
  }

  /** Record the run's exit code; the worst one wins. */
  protected setExitCode(code: ExitCodeValue): void {
    const rank = (c: ExitCodeValue) => [ExitCode.OK, ExitCode.PARTIAL, ExitCode.FAILURE, ExitCode.AUTH, ExitCode.USAGE].indexOf(c)
    if (rank(code) > rank(this.exitCodeSet)) this.exitCodeSet = code
    process.exitCode = this.exitCodeSet
  }

  /** Human output to stdout, only when not in --json mode; on a terminal, no line wider than it. */
  protected print(text: string): void {
    if (this.jsonEnabled()) return
    const out = this.term?.isTTY ? fitLines(text, this.term.columns) : text
    process.stdout.write(redact(out) + (out.endsWith('\n') ? '' : '\n'))
  }

  /** Progress, warnings and notes: always stderr, so stdout stays the result; on a terminal, wrapped to its width. */
  protected note(text: string): void {
    const width = process.stderr.isTTY ? process.stderr.columns : undefined
    const out = width ? fitNote(text, width) : text
    process.stderr.write(redact(out) + (out.endsWith('\n') ? '' : '\n'))
  }

  /**
   * Queue the textfile-collector file `path` (a --textfile flag; nothing when undefined). It is
   * written after the command's own result is out, failed runs included (the last call for a path
   * wins), with hydra_build_info added. A file that cannot be written is a usage error (exit 2),
   * reported after the result.
   */
  protected textfile(path: string | undefined, metrics: Metric[]): void {
    if (path) this.textfiles.set(path, metrics)
  }

  private textfiles = new Map<string, Metric[]>()
  private textfileError?: UserError

  protected override async finally(err: Error | undefined): Promise<void> {
    await super.finally(err)
    for (const [path, metrics] of this.textfiles) {
      try {
        writeTextfile(path, [...metrics, buildInfoMetric(this.id ?? 'hydra', this.config.version, BUILD.commit)])
      } catch (error) {
        const e = error as NodeJS.ErrnoException
        this.textfileError ??= new UserError(`cannot write the textfile ${path}: ${e.code === 'ENOENT' ? 'its directory does not exist' : e.message}`, {
          code: 'textfile_write',
          hint: "--textfile's directory must exist and be writable by the user running hydra (node exporter's is /var/lib/prometheus/node-exporter on Debian)",
        })
      }
    }
    if (!this.textfileError) return
    if (err === undefined) this.setExitCode(ExitCode.USAGE)
    // under --json without an earlier error, the result document carries it (toSuccessJson)
    if (err !== undefined || !this.jsonEnabled()) this.reportError(this.textfileError)
  }

  /** The result document: the envelope (src/lib/output/json/envelope.ts), then the report. */
  protected override toSuccessJson(result: unknown): unknown {
    this.adoptExitCode(result) // oclif prints before _run returns
    const doc = envelope(commandName(this.id), this.exitCodeSet, result)
    return this.textfileError ? {...doc, error: this.textfileError.toJSON()} : doc
  }

  /** The error and its hint on stderr; on a terminal, wrapped to its width under their labels (off one: one line each, for logs and grep). */
  private reportError(hydra: HydraError, stack?: string): void {
    const red = (s: string) => (this.term?.color ? `\u001B[31m${s}\u001B[39m` : s)
    const width = process.stderr.isTTY ? process.stderr.columns : undefined
    const line = (label: string, message: string) => (width ? wrapLabelled(label, message, width) : `${label} ${message}`)
    let text = line(red('Error:'), hydra.message)
    if (hydra.hint) text += `\n${line('Hint:', hydra.hint)}`
    if (process.env.HYDRA_DEBUG && stack) text += `\n${stack}`
    process.stderr.write(redact(text) + '\n')
  }

  protected override logJson(json: unknown): void {
    process.stdout.write(redact(JSON.stringify(json, null, 2)) + '\n')
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    // this.exit(n) inside run() is not an error to report
    if (err instanceof Errors.ExitError) throw err
    const hydra = toHydraError(err)
    process.exitCode = hydra.exitCode
    if (this.jsonEnabled()) {
      this.logJson({...envelope(commandName(this.id), hydra.exitCode, {}), error: hydra.toJSON()})
    } else {
      this.reportError(hydra, err.stack)
    }
    this.exit(hydra.exitCode)
  }
}

function isExitCode(code: unknown): code is ExitCodeValue {
  return typeof code === 'number' && (Object.values(ExitCode) as number[]).includes(code)
}

/** Any thrown thing → a HydraError with the right exit code. */
export function toHydraError(err: unknown): HydraError {
  if (err instanceof HydraError) {
    // oclif wraps the message of an error thrown by a flag's parse function; ours already names the flag
    const wrapped = /^Parsing --\S+ \n\t([\s\S]*)\nSee more help with --help$/.exec(err.message)
    if (wrapped) err.message = wrapped[1]!
    return err
  }
  const e = err as Error & {oclif?: {exit?: number}; code?: string}
  // oclif's own parse errors (unknown flag, missing arg, bad option) are usage errors
  if (e && typeof e === 'object' && 'oclif' in e) {
    const message = (e.message ?? String(err)).replace(/\n\s*See more help with --help$/, '')
    return new UserError(message, {code: 'usage', hint: 'see the command help with --help'})
  }
  return new BugError(e?.message ?? String(err), {cause: err})
}
