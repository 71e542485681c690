/**
 * hydra's own flag types, so that every command reads durations and times the same way
 * (parsing: src/lib/config/units.ts).
 *
 *   durationFlag({summary, timer?})  30s, 5m, 2h, 1d, 1h30m, 500ms, or a bare number of seconds → ms.
 *                                    timer (default true): refused past Node's timer limit (~24.8d);
 *                                    timer: false for spans that are never a setTimeout (e.g. a query range).
 *   timeFlag({summary})              RFC 3339, now, a duration ago (15m, 2d, 90), or unix seconds → epoch ms.
 *   nodeFlag({summary})              --node NAME, repeatable → string[]: the one way a command selects nodes;
 *                                    the names are checked by selectNodes (src/lib/config/nodes.ts).
 *   nodeArg / withNodeArg            the positional NODE some commands accept as a shorthand for --node NODE.
 * A bad value is a usage error (exit 2) naming the flag.
 */
import {Args, Flags} from '@oclif/core'

import {parseDurationArg, parseTimeArg} from './lib/config/units.js'

export const durationFlag = Flags.custom<number, {timer?: boolean}>({
  helpValue: '<duration>',
  parse: async (input, _ctx, opts) => parseDurationArg(input, `--${opts.name}`, {timer: opts.timer}),
})

export const timeFlag = Flags.custom<number>({
  helpValue: '<time>',
  parse: async (input, _ctx, opts) => parseTimeArg(input, `--${opts.name}`, Date.now()),
})

/** --node NAME, repeatable (--node a --node b; one value each, so positional arguments after it stay positional): every command that selects nodes spells it this way. */
export const nodeFlag = (options: {summary: string}) => Flags.string({summary: options.summary, helpValue: '<node>', multiple: true, multipleNonGreedy: true})

/** A positional NODE, where it reads naturally (`hydra exporter status hydra-ai`): the same as --node NODE. */
export const nodeArg = Args.string({description: 'shorthand for --node NODE'})

/** The nodes a command was given: its positional NODE (if any) and every --node, in order. */
export function withNodeArg(positional: string | undefined, flag: string[] | undefined): string[] | undefined {
  const names = [...(positional === undefined ? [] : [positional]), ...(flag ?? [])]
  return names.length > 0 ? names : undefined
}
