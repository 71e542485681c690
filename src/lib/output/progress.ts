/**
 * Progress on a terminal, in one place: a few named lines on stderr (stdout is for the result),
 * each with a title that can change and an end (done, or failed with a message). listr2 draws
 * them; it is loaded only when progress is shown, so cron runs, --json and --help stay light.
 *
 *   const progress = await startProgress(['Backing up Grafana dashboards'], {enabled})
 *   progress?.line(0).title('Saving dashboards: 10 of 40')
 *   progress?.line(0).done('Backed up 40 dashboards')   // or .fail('…')
 *   await progress?.finished
 */

export interface ProgressLine {
  /** change the line's title (before or while it runs) */
  title(text: string): void
  /** end the line as done, optionally with a last title */
  done(title?: string): void
  /** end the line as failed, with the message shown under it */
  fail(message: string): void
}

export interface Progress {
  line(index: number): ProgressLine
  /** resolves once every line has ended and the display is finished (never rejects) */
  finished: Promise<void>
  /** end every line still open (as done) and wait for the display: call it on every way out */
  close(): Promise<void>
}

export interface ProgressOptions {
  /** false: no progress at all (not a terminal, or --json); startProgress resolves undefined */
  enabled: boolean
  /** draw the lines side by side as they run (default true) */
  concurrent?: boolean
  /** where to draw (default process.stderr) */
  stream?: NodeJS.WriteStream
}

interface LineState {
  title: string
  apply: (title: string) => void
  end: (outcome: {ok: true; title?: string} | {ok: false; message: string}) => void
  ended: Promise<{ok: true; title?: string} | {ok: false; message: string}>
}

export async function startProgress(titles: string[], options: ProgressOptions): Promise<Progress | undefined> {
  if (!options.enabled) return undefined
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  const stream = options.stream ?? process.stderr
  const lines: LineState[] = titles.map((title) => {
    const state = {title, apply: (_: string) => {}} as LineState
    state.ended = new Promise((resolve) => (state.end = resolve))
    return state
  })
  const listr = new Listr(
    lines.map((state) => ({
      title: state.title,
      task: async (_ctx: unknown, task: {title: string}) => {
        state.apply = (t) => (task.title = t)
        task.title = state.title
        const outcome = await state.ended
        if (outcome.ok) {
          if (outcome.title !== undefined) task.title = outcome.title
          return
        }
        throw new Error(outcome.message)
      },
    })),
    {
      concurrent: options.concurrent ?? true,
      exitOnError: false,
      // listr2's drawing renderer wraps lines to process.stdout's width; a terminal that reports 0
      // columns (a pty nobody sized: script(1) without a tty, `docker exec -t`) would get one
      // character per line: lines are printed one after another instead, as on a log
      ...(process.stdout.columns === 0 || (stream as {columns?: number}).columns === 0 ? {renderer: 'simple' as const} : {}),
      // both renderers (the drawing one on a terminal, the line-by-line fallback elsewhere) write to `stream`
      rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(stream, stream)})},
      fallbackRendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(stream, stream)})},
    },
  )
  const finished = listr.run().then(
    () => undefined,
    () => undefined,
  )
  return {
    finished,
    close: async () => {
      for (const state of lines) state.end({ok: true})
      await finished
    },
    line(index) {
      const state = lines[index]
      if (!state) throw new RangeError(`no progress line ${index}`)
      return {
        title: (text) => {
          state.title = text
          state.apply(text)
        },
        done: (title) => state.end({ok: true, ...(title === undefined ? {} : {title})}),
        fail: (message) => state.end({ok: false, message}),
      }
    },
  }
}

/**
 * One line on a terminal's stderr while a single request runs ("querying Loki… 3s"), cleared when
 * it ends if it was shown. Returns the function that stops it.
 */
export function startTicker(label: string, stream: NodeJS.WriteStream = process.stderr): () => void {
  const t0 = Date.now()
  const timer = setInterval(() => stream.write(`\r\u001B[2K${label}… ${Math.round((Date.now() - t0) / 1000)}s`), 1000)
  return () => {
    clearInterval(timer)
    if (Date.now() - t0 >= 1000) stream.write('\r\u001B[2K')
  }
}
