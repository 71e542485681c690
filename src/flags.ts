/**
 * hydra's own flag types, so that every command reads durations and times the same way
 * (parsing: src/lib/config/units.ts).
 *
 *   durationFlag({summary, timer?})  30s, 5m, 2h, 1d, 1h30m, 500ms, or a bare number of seconds → ms.
 *                                    timer (default true): refused past Node's timer limit (~24.8d);
 *                                    timer: false for spans that are never a setTimeout (e.g. a query range).
 *   timeFlag({summary})              RFC 3339, now, a duration ago (15m, 2d, 90), or unix seconds → epoch ms.
 * A bad value is a usage error (exit 2) naming the flag.
 */
import {Flags} from '@oclif/core'

import {parseDurationArg, parseTimeArg} from './lib/config/units.js'

export const durationFlag = Flags.custom<number, {timer?: boolean}>({
  helpValue: '<duration>',
  parse: async (input, _ctx, opts) => parseDurationArg(input, `--${opts.name}`, {timer: opts.timer}),
})

export const timeFlag = Flags.custom<number>({
  helpValue: '<time>',
  parse: async (input, _ctx, opts) => parseTimeArg(input, `--${opts.name}`, Date.now()),
})
