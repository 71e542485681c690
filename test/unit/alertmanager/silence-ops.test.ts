/** The silence commands' one call each, on the paths that need no Alertmanager: dry runs and usage errors. */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {silenceAdd, silenceExpire} from '../../../src/lib/alertmanager/silence-ops.js'
import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../../src/lib/config/schema.js'
import {UserError} from '../../../src/lib/errors.js'
import {labConfigPaths, labConfigYaml} from '../../lab/lab-config.js'

const cfg = resolveConfig(ConfigSchema.parse(parse(labConfigYaml(labConfigPaths('/tmp/x')))))
const now = new Date('2026-11-30T18:00:00Z')

describe('silenceAdd', () => {
  it('dry run: the plan, with the Alertmanager it would go to', async () => {
    const r = await silenceAdd(cfg, {nodes: ['hydra-compute'], matchers: [], forMs: 3_600_000, comment: 'reboot', author: 'typhon', now, dryRun: true})
    expect(r.dryRun).toBe(true)
    expect(r.alertmanager).toBe(cfg.alertmanager!.baseUrl)
    expect(r.silences.map((s) => s.covers)).toEqual(['alerts labelled node=hydra-compute', expect.stringMatching(/^alerts of hydra-compute's instances/)])
  })

  it('a bad plan is a usage error before the Alertmanager is looked for', async () => {
    await expect(silenceAdd({...cfg, alertmanager: undefined}, {matchers: [], forMs: 1000, comment: 'x', author: 'a', now, dryRun: true})).rejects.toThrow(/say what to silence/)
    await expect(silenceAdd({...cfg, alertmanager: undefined}, {matchers: ['a=b'], forMs: 1000, comment: 'x', author: 'a', now, dryRun: true})).rejects.toThrow(/names no Alertmanager/)
  })
})

describe('silenceExpire', () => {
  const id = '5f0c1d2e-3a4b-4c5d-8e9f-0123456789ab'
  it('dry run: each ID once, not expired', async () => {
    expect(await silenceExpire(cfg, [id, id], {dryRun: true})).toEqual({dryRun: true, alertmanager: cfg.alertmanager!.baseUrl, results: [{id, expired: false}]})
  })
  it('no ID, or one that is not a UUID: usage errors', async () => {
    await expect(silenceExpire(cfg, [], {dryRun: true})).rejects.toThrow(UserError)
    await expect(silenceExpire(cfg, ['nope'], {dryRun: true})).rejects.toThrow(/not a silence ID/)
  })
})
