/**
 * Textfile-collector metrics of a `hydra targets` run. When Prometheus did not answer (no report),
 * the file still says when hydra ran and that the run failed, and lists no target. Pure.
 */
import type {Metric} from '../output/textfile.js'
import type {TargetRow} from './targets.js'

export function targetsMetrics(targets: TargetRow[] | undefined, runAt: Date): Metric[] {
  return [
    ...(targets
      ? [
          {
            name: 'hydra_target_up',
            help: 'Scrape target health as Prometheus reported it to hydra (1 up, 0 not up).',
            type: 'gauge' as const,
            samples: targets.map((t) => ({labels: {job: t.job, instance: t.instance, node: t.node ?? ''}, value: t.health === 'up' ? 1 : 0})),
          },
        ]
      : []),
    {name: 'hydra_targets_last_run_timestamp_seconds', help: 'When hydra targets last ran.', type: 'gauge', samples: [{value: Math.floor(runAt.getTime() / 1000)}]},
    {name: 'hydra_targets_last_run_complete', help: 'Whether the last run got the targets from Prometheus (1) or not (0).', type: 'gauge', samples: [{value: targets ? 1 : 0}]},
  ]
}
