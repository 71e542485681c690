import {describe, expect, it} from 'vitest'

import {renderVersion} from '../../../src/lib/output/version-render.js'

describe('renderVersion', () => {
  const r = {version: '0.1.0', commit: 'abc1234', dirty: false, builtAt: '2026-12-01T02:00:00Z', node: 'v20.18.1', platform: 'linux', arch: 'x64'}
  it('version, commit (and when it was built), node and platform, aligned', () => {
    expect(renderVersion(r).split('\n')).toEqual(['hydra 0.1.0', 'commit    abc1234, built 2026-12-01T02:00:00Z', 'node      v20.18.1', 'platform  linux-x64'])
  })
  it('a dirty build says so; no build time, none shown', () => {
    expect(renderVersion({...r, dirty: true, builtAt: ''}).split('\n')[1]).toBe('commit    abc1234 (with uncommitted changes)')
  })
})
