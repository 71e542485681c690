import {describe, expect, it} from 'vitest'

import type {LokiClient} from '../../../src/lib/loki/client.js'
import {emptyTenantNote} from '../../../src/lib/loki/guard.js'

/** Only what emptyTenantNote uses of a LokiClient: its tenant and the labels call. */
function loki(tenant: string | undefined, labels: () => Promise<string[] | null | undefined>): LokiClient {
  return {tenant, getJson: labels} as unknown as LokiClient
}
const win = {startNs: 1n, endNs: 2n}

describe('emptyTenantNote: an empty answer explained when the tenant has nothing at all', () => {
  it('a tenant with no stream in the window (Loki answers a wrong tenant with nothing) → names the tenant and --org-id', async () => {
    // real Loki 3.4.2 for an unknown tenant: {"status":"success"} without data → undefined
    expect(await emptyTenantNote(loki('nobody', async () => undefined), win)).toMatch(/no log stream at all for the tenant "nobody".*--org-id/)
    expect(await emptyTenantNote(loki('nobody', async () => []), win)).toMatch(/tenant "nobody"/)
  })
  it('streams exist: the query matched none, nothing to say about tenants', async () => {
    expect(await emptyTenantNote(loki('hydra', async () => ['container_name']), win)).toBeUndefined()
  })
  it('no tenant (auth disabled) and no stream: asks whether anything pushes', async () => {
    expect(await emptyTenantNote(loki(undefined, async () => null), win)).toMatch(/is anything pushing to it/)
  })
  it('multi-tenant is emptyAnswerNote\'s business; a failing labels call gives no note', async () => {
    expect(await emptyTenantNote(loki('a|b', async () => []), win)).toBeUndefined()
    expect(
      await emptyTenantNote(
        loki('hydra', async () => {
          throw new Error('boom')
        }),
        win,
      ),
    ).toBeUndefined()
  })
})
