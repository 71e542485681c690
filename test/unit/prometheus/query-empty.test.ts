/** Why `hydra query` found nothing: never a bare "no data" (the runbook's own GPU names find nothing here). */
import {describe, expect, it} from 'vitest'

import {noteFor} from '../../../src/lib/prometheus/query-empty.js'

const present = new Set(['up', 'node_load1', 'nvidia_smi_temperature_gpu', 'nvidia_smi_power_draw_watts'])

describe('the note of an empty query answer', () => {
  it("a name Prometheus has no series of, with the known rename (the runbook's nvidia_gpu_* names)", async () => {
    expect(await noteFor(['nvidia_gpu_power_draw_watts'], present)).toBe(
      'Prometheus has no series of a metric named nvidia_gpu_power_draw_watts: nvidia_gpu_power_draw_watts is not served here; utkuozdemir/nvidia_gpu_exporter (nvidia_smi_*) serves nvidia_smi_power_draw_watts',
    )
  })
  it('a name with no known rename: check the name, and what is scraped', async () => {
    expect(await noteFor(['node_lod1', 'up'], present)).toBe('Prometheus has no series of a metric named node_lod1 (check the name: hydra targets shows what it scrapes)')
    expect(await noteFor(['a_x', 'b_y'], present)).toMatch(/^Prometheus has no series of metrics named a_x, b_y \(/)
  })
  it('every name exists: the matchers or the time select nothing', async () => {
    expect(await noteFor(['up'], present)).toBe('up exists in Prometheus: the label matchers, or the time (--time, --since), select no series of it')
  })
  it('no series at all: nothing scraped', async () => {
    expect(await noteFor(['up'], new Set())).toMatch(/^Prometheus has no series at all: it has scraped nothing yet/)
  })
})
