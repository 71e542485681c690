/**
 * Several remote commands in ONE SSH exec session: a POSIX sh script, sent on the session's stdin
 * to `sh -s` (so the login shell, whatever it is, only ever sees the fixed line `sh -s`), that runs
 * every command ("section") at once in the background, each with stdin from /dev/null, its own
 * stdout, stderr and exit status in files of a private temporary directory, and under coreutils'
 * `timeout` when the node has it (a hung command is killed on the node, as a timed-out exec is).
 * Sections are printed as they finish, in the order they finish, each framed by a header line
 * carrying a per-run random nonce and the byte lengths of its stdout and stderr, so no output can
 * forge or break a frame: a hung or failing section never holds back or spoils the others.
 *
 * Each command line is a `RemoteCommand`'s line (built from fixed templates with allow-listed,
 * quoted values, ssh/commands.ts), and reaches the script only single-quoted by `shellQuote`.
 */
import {shellQuote} from './shell.js'

export interface BatchSection {
  /** the exact command line, as a lone exec would send it (sudo prefix included) */
  line: string
  /** the section's own time budget; the node kills it a second after the client stops waiting */
  timeoutMs: number
}

export interface SectionResult {
  index: number
  /** the shell's status: the command's exit code, 127 when it is missing, 124/137 when `timeout` killed it */
  status: number
  stdout: Buffer
  stderr: Buffer
}

/** The one line exec'd: the script comes on stdin. */
export const BATCH_EXEC_LINE = 'sh -s'

const NONCE_RE = /^[0-9a-f]{32}$/

function checkNonce(nonce: string): string {
  if (!NONCE_RE.test(nonce)) throw new Error('batch nonce must be 32 lowercase hex digits')
  return nonce
}

/** The script for these sections. `nonce`: 32 hex digits, fresh for every batch (crypto random). */
export function buildBatchScript(nonce: string, sections: readonly BatchSection[]): string {
  const n = checkNonce(nonce)
  const jobs = sections.map((s, i) => {
    const q = shellQuote(s.line)
    // the node's kill comes a second after the client gave up, so the client's timeout always decides
    const seconds = Math.ceil(s.timeoutMs / 1000) + 1
    const run = `if [ -n "$T" ]; then timeout -k 1 ${seconds} sh -c ${q}; else eval ${q}; fi`
    return `{ ${run} </dev/null >"$d/${i}.o" 2>"$d/${i}.e"; echo $? >"$d/${i}.s"; echo ${i} >&3; } &`
  })
  return [
    'set +e',
    'umask 077',
    `d=$(mktemp -d 2>/dev/null) || { echo "${n} nodir"; exit 0; }`,
    `trap 'rm -rf "$d"' EXIT`,
    `mkfifo "$d/f" || { echo "${n} nofifo"; exit 0; }`,
    'exec 3<>"$d/f"',
    'T=',
    'command -v timeout >/dev/null 2>&1 && T=timeout',
    `echo "${n} ready"`,
    ...jobs,
    'n=0',
    `while [ $n -lt ${sections.length} ] && read i <&3; do`,
    '  read s <"$d/$i.s"',
    `  printf '%s %s %s %s %s\\n' ${n} "$i" "$s" $(wc -c <"$d/$i.o") $(wc -c <"$d/$i.e")`,
    '  cat "$d/$i.o" "$d/$i.e"',
    '  n=$((n+1))',
    'done',
    '',
  ].join('\n')
}

/**
 * Reads a batch's stdout as it streams in and hands back each section once it is complete.
 * Anything before the `<nonce> ready` line (a chatty shell rc file) is skipped; after it the
 * stream is framed exactly by the headers' byte counts. A section longer than `maxBytes` is
 * reported as `tooLong` and its bytes dropped, never buffered.
 */
export class BatchParser {
  /** the script started on the node (its temporary directory and FIFO exist) */
  ready = false
  /** why the script could not start (`nodir`, `nofifo`), when it said so */
  failed?: string
  private buf: Buffer = Buffer.alloc(0)
  private current?: {index: number; status: number; outBytes: number; errBytes: number; skip: boolean; remaining: number}
  private readonly header: Buffer

  constructor(
    nonce: string,
    private readonly maxBytes: number,
  ) {
    this.header = Buffer.from(`${checkNonce(nonce)} `)
  }

  /** Feed a chunk; returns the sections completed by it (and those over the size cap, as tooLong). */
  push(chunk: Buffer): (SectionResult & {tooLong?: boolean})[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    const done: (SectionResult & {tooLong?: boolean})[] = []
    for (;;) {
      if (!this.ready) {
        if (!this.readPreamble()) return done
        continue
      }
      if (!this.current) {
        const nl = this.buf.indexOf(0x0a)
        if (nl < 0) return done
        const line = this.buf.subarray(0, nl).toString('latin1')
        this.buf = this.buf.subarray(nl + 1)
        const m = /^([0-9a-f]{32}) (\d+) (\d*)\s+(\d+)\s+(\d+)$/.exec(line)
        if (!m || `${m[1]} ` !== this.header.toString()) throw new Error(`malformed batch frame header: ${JSON.stringify(line.slice(0, 80))}`)
        const [outBytes, errBytes] = [Number(m[4]), Number(m[5])]
        this.current = {index: Number(m[2]), status: Number(m[3]), outBytes, errBytes, skip: outBytes + errBytes > this.maxBytes, remaining: outBytes + errBytes}
      }
      const c = this.current
      const need = c.outBytes + c.errBytes
      if (c.skip) {
        // over the cap: drop the bytes as they come, then report the section once they are past
        const take = Math.min(c.remaining, this.buf.length)
        this.buf = this.buf.subarray(take)
        c.remaining -= take
        if (c.remaining > 0) return done
        done.push({index: c.index, status: c.status, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), tooLong: true})
        this.current = undefined
        continue
      }
      if (this.buf.length < need) return done
      done.push({index: c.index, status: c.status, stdout: Buffer.from(this.buf.subarray(0, c.outBytes)), stderr: Buffer.from(this.buf.subarray(c.outBytes, need))})
      this.buf = this.buf.subarray(need)
      this.current = undefined
    }
  }

  /** Skip to the line `<nonce> ready` (or note `<nonce> nodir|nofifo`); false until it has arrived. */
  private readPreamble(): boolean {
    for (;;) {
      const nl = this.buf.indexOf(0x0a)
      if (nl < 0) return false
      const line = this.buf.subarray(0, nl).toString('latin1')
      this.buf = this.buf.subarray(nl + 1)
      if (line === `${this.header.toString()}ready`) {
        this.ready = true
        return true
      }
      if (line.startsWith(this.header.toString())) this.failed = line.slice(this.header.length)
    }
  }
}
