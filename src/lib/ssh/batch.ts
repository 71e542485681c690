/**
 * Several remote commands in ONE SSH exec session: a POSIX sh script, sent on the session's stdin
 * to `sh -s` (so the login shell, whatever it is, only ever sees the fixed line `sh -s`), that runs
 * every command ("section") at once in the background, each with stdin from /dev/null and its
 * stdout captured by the shell and its stderr in a private file (mode 600, random name, created
 * exclusively). Sections are printed as they finish, in the order they finish: a header with the
 * section's index and exit status, its stdout, a separator, its stderr, an end mark, every mark
 * carrying a random per-batch nonce that appears in no process's arguments, so no output can forge
 * or break a frame. A failing, missing
 * or hung section never holds back or spoils the others. A TERM to the session (the client giving
 * up on a section; sshd sends it to the session's process group) ends every section still running.
 *
 * Few processes: on a busy node each fork counts (see buildBatchScript). Each command line is a
 * `RemoteCommand`'s line (fixed templates with allow-listed, quoted values, ssh/commands.ts) and
 * reaches the script only through `shellQuote`.
 */
import {shellQuote} from './shell.js'

export interface BatchSection {
  /** the exact command line, as a lone exec would send it (sudo prefix included) */
  line: string
}

export interface SectionResult {
  index: number
  /** the shell's status: the command's exit code, 127 when it is missing, 128+N when signal N ended it */
  status: number
  stdout: Buffer
  stderr: Buffer
  /** stdout+stderr were over the parser's cap: dropped as they came, never buffered */
  tooLong?: boolean
}

/** The one line exec'd: the script comes on stdin. */
export const BATCH_EXEC_LINE = 'sh -s'

const NONCE_RE = /^[0-9a-f]{32}$/

function checkNonce(nonce: string): string {
  if (!NONCE_RE.test(nonce)) throw new Error('batch nonce must be 32 lowercase hex digits')
  return nonce
}

/**
 * The script for these sections. `nonce`: 32 hex digits, fresh for every batch (crypto random), the
 * frame mark; `fileTag`: 32 more, naming the batch's two private files per run in $TMPDIR (created
 * exclusively: set -C, mkfifo). Each section prints its own frame as soon as it is done, holding a
 * token passed through a FIFO so frames never interleave; the frame is written by shell builtins
 * (its stdout was captured by the shell), so the only process a section adds to its command is a
 * `cat` of its stderr when there is any. Sections' stdout must be text (the shell drops NUL bytes):
 * the reads hydra sends together are.
 */
export function buildBatchScript(nonce: string, sections: readonly BatchSection[], fileTag = nonce.split('').reverse().join('')): string {
  const n = checkNonce(nonce)
  const jobs = sections.map(
    (s, i) =>
      `{ o=$( (eval ${shellQuote(s.line)}) </dev/null 2>"$p.${i}.e"; s=$?; echo .; exit $s ); s=$?; read t <&5; ` +
      `printf '%s ${i} %s\n%s\n%s -\n' ${n} $s "\${o%.}" ${n}; [ -s "$p.${i}.e" ] && cat "$p.${i}.e"; printf '\n%s .\n' ${n}; echo t >&5; } &`,
  )
  return [
    'umask 077',
    'set -C',
    `p="\${TMPDIR:-/tmp}/.hydra-batch-${checkNonce(fileTag)}"`,
    `mkfifo "$p.f" 2>/dev/null || { echo "${n} nostart"; exit 0; }`,
    `trap 'rm -f "$p".*' EXIT`,
    `trap 'trap - TERM; rm -f "$p".*; kill -TERM 0' TERM`,
    'exec 5<>"$p.f"',
    'echo t >&5',
    `echo "${n} ready"`,
    ...jobs,
    'wait',
    '',
  ].join('\n')
}

const NL = 0x0a

/**
 * Reads a batch's stdout as it streams in and hands back each section once it is complete.
 * Anything before the `<nonce> ready` line (a chatty shell rc file) is skipped. A section whose
 * output passes `maxBytes` is reported as `tooLong`, its bytes dropped as they come.
 */
export class BatchParser {
  /** the script started on the node (its temporary directory and FIFO exist) */
  ready = false
  /** the script said it could not start (no writable temporary directory, no mkfifo) */
  failed = false
  private buf: Buffer = Buffer.alloc(0)
  private current?: {index: number; status: number; stdout?: Buffer; size: number; tooLong: boolean}
  private readonly nonce: string
  private readonly sep: Buffer
  private readonly end: Buffer

  constructor(
    nonce: string,
    private readonly maxBytes: number,
  ) {
    this.nonce = checkNonce(nonce)
    this.sep = Buffer.from(`\n${nonce} -\n`)
    this.end = Buffer.from(`\n${nonce} .\n`)
  }

  /** Feed a chunk; returns the sections it completed. Throws on a frame that is not the script's. */
  push(chunk: Buffer): SectionResult[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    const done: SectionResult[] = []
    for (;;) {
      if (!this.current) {
        const nl = this.buf.indexOf(NL)
        if (nl < 0) return done
        const line = this.buf.subarray(0, nl).toString('latin1')
        this.buf = this.buf.subarray(nl + 1)
        if (!this.ready) {
          if (line === `${this.nonce} ready`) this.ready = true
          else if (line === `${this.nonce} nostart`) this.failed = true
          continue
        }
        const m = /^([0-9a-f]{32}) (\d+) (\d+)$/.exec(line)
        if (!m || m[1] !== this.nonce) throw new Error(`malformed batch frame header: ${JSON.stringify(line.slice(0, 80))}`)
        this.current = {index: Number(m[2]), status: Number(m[3]), size: 0, tooLong: false}
      }
      const c = this.current
      const mark = c.stdout ? this.end : this.sep
      const at = this.buf.indexOf(mark)
      if (at < 0) {
        // keep what could be the start of the mark; over the cap, drop the rest as it comes
        const keep = Math.max(0, this.buf.length - (mark.length - 1))
        if (c.size + keep > this.maxBytes) {
          c.tooLong = true
          c.size += keep
          this.buf = this.buf.subarray(keep)
        }
        return done
      }
      const part = Buffer.from(this.buf.subarray(0, at))
      this.buf = this.buf.subarray(at + mark.length)
      c.size += part.length
      if (c.size > this.maxBytes) c.tooLong = true
      if (!c.stdout) {
        c.stdout = c.tooLong ? Buffer.alloc(0) : part
        continue
      }
      done.push({index: c.index, status: c.status, stdout: c.tooLong ? Buffer.alloc(0) : c.stdout, stderr: c.tooLong ? Buffer.alloc(0) : part, ...(c.tooLong ? {tooLong: true} : {})})
      this.current = undefined
    }
  }
}
