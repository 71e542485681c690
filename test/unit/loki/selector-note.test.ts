/** An empty `hydra logs` whose selector cannot match says what the streams have (the runbook's {container="…"}). */
import {describe, expect, it} from 'vitest'

import type {LokiClient} from '../../../src/lib/loki/client.js'
import {emptySelectorNote, streamSelector} from '../../../src/lib/loki/selector-note.js'

describe('streamSelector', () => {
  it('reads the first {…} of a log or metric query: names, operators, quoted and raw values', () => {
    expect(streamSelector('{container="tabbyapi"} |= "error"')).toEqual([{label: 'container', op: '=', value: 'tabbyapi'}])
    expect(streamSelector('sum by (host) (count_over_time({container_name=~"tabby.*", stream != `stderr`}[5m]))')).toEqual([
      {label: 'container_name', op: '=~', value: 'tabby.*'},
      {label: 'stream', op: '!=', value: 'stderr'},
    ])
    expect(streamSelector('{a="x\\"y"}')).toEqual([{label: 'a', op: '=', value: 'x"y'}])
    expect(streamSelector('{}')).toEqual([])
  })
  it('anything it does not follow: undefined', () => {
    expect(streamSelector('no selector')).toBeUndefined()
    expect(streamSelector('{a=b}')).toBeUndefined()
    expect(streamSelector('{a="unterminated}')).toBeUndefined()
  })
})

/** Loki as seen by the note: the labels and the values of each (real 3.4.2 answers without data when there are none). */
function loki(labels: Record<string, string[]>): Pick<LokiClient, 'getJson'> {
  return {
    getJson: async (path: string) => {
      if (path === '/loki/api/v1/labels') return Object.keys(labels)
      const name = decodeURIComponent(/\/label\/([^/]+)\/values$/.exec(path)![1]!)
      return labels[name]
    },
  } as unknown as Pick<LokiClient, 'getJson'>
}
const lab = loki({container_name: ['ollama', 'tabbyapi'], host: ['hydra-ai'], stream: ['stderr', 'stdout'], compose_project: ['ai']})
const win = {startNs: 1n, endNs: 2n}

describe('emptySelectorNote', () => {
  it("the runbook's {container=\"tabbyapi\"}: no such label, and the one it means", async () => {
    expect(await emptySelectorNote(lab, '{container="tabbyapi"}', win)).toBe(
      'no stream in this window has a label container (did you mean container_name?); its labels are compose_project, container_name, host, stream: hydra loki labels',
    )
  })
  it('a value no stream has (exact or pattern), with the values there are', async () => {
    expect(await emptySelectorNote(lab, '{container_name="tabby"}', win)).toBe('no stream in this window has container_name="tabby"; its values are ollama, tabbyapi: hydra loki labels container_name')
    expect(await emptySelectorNote(lab, '{container_name=~"litellm|qdrant"}', win)).toMatch(/^no stream in this window has container_name=~"litellm\|qdrant"/)
  })
  it('a selector that can match: nothing to say (the line filters or the time are the query\'s business)', async () => {
    expect(await emptySelectorNote(lab, '{container_name="tabbyapi", stream!="stdout"} |= "CUDA"', win)).toBeUndefined()
    expect(await emptySelectorNote(lab, '{container_name=~"tabby.*"}', win)).toBeUndefined()
    // only negative matchers: they cannot name a missing label
    expect(await emptySelectorNote(lab, '{nothing!="x"}', win)).toBeUndefined()
  })
  it('Loki will not say: no note', async () => {
    const failing = {getJson: async () => Promise.reject(new Error('boom'))} as unknown as Pick<LokiClient, 'getJson'>
    expect(await emptySelectorNote(failing, '{container="x"}', win)).toBeUndefined()
  })
})
