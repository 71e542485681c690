/** The one progress module: lines that change title and end done or failed; nothing at all when disabled. */
import {Writable} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {startProgress} from '../../../src/lib/output/progress.js'

function sink(): {stream: NodeJS.WriteStream; text: () => string} {
  let out = ''
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk)
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  return {stream, text: () => out}
}

describe('startProgress', () => {
  it('disabled (no terminal, or --json): no progress, and listr2 is not needed', async () => {
    expect(await startProgress(['a'], {enabled: false})).toBeUndefined()
  })

  it('draws each line, its last title, and the failure message of a failed line; finished resolves', async () => {
    const out = sink()
    const progress = (await startProgress(['first', 'second'], {enabled: true, stream: out.stream}))!
    progress.line(0).title('first: 1/2')
    progress.line(0).done('first: 2/2 done')
    progress.line(1).fail('second broke: ssh:x node_unreachable')
    await progress.finished
    expect(out.text()).toContain('first: 2/2 done')
    expect(out.text()).toContain('second broke: ssh:x node_unreachable')
    expect(() => progress.line(2)).toThrow(RangeError)
  })

  it('close() ends the lines still open, so a run that throws never leaves the display waiting', async () => {
    const out = sink()
    const progress = (await startProgress(['never ended'], {enabled: true, stream: out.stream}))!
    await progress.close()
    expect(out.text()).toContain('never ended')
  })
})
