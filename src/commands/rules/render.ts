import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {durationFlag} from '../../flags.js'
import {OperationError} from '../../lib/errors.js'
import {writeFileAtomically} from '../../lib/output/textfile.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {renderClusterRules} from '../../lib/rules/run.js'
import type {GpuExporterKind} from '../../lib/views/gpu.js'
import {counted} from '../../lib/format.js'

export default class RulesRender extends HydraCommand<typeof RulesRender> {
  static override summary = "render the cluster's essential alert rules (and promtool tests for them)"
  static override description = `One Prometheus rule file for this cluster: node exporter down, any target down, root disk and memory headroom (the config's thresholds), GPU temperature and memory (with the metric names of the GPU exporter Prometheus actually scrapes), Prometheus rule failures and size retention, Loki down or not ingesting, and hydra's own cron jobs. Every rule has a severity, a summary naming the node and a hint naming the hydra command that diagnoses it.

Prometheus is asked which exporters it scrapes; when it cannot be asked the rules are rendered from the config alone (exit 3, with the reason); --offline does that on purpose (exit 0). --tests writes promtool unit tests: for every rule a series that must fire and one that must not.

${EXIT_CODES_HELP}
  (rules render: 3 when Prometheus could not be asked and the rules come from the config alone)`
  static override examples = [
    '<%= config.bin %> rules render -o hydra-rules.yml --tests hydra-rules.test.yml && promtool check rules hydra-rules.yml && promtool test rules hydra-rules.test.yml',
    '<%= config.bin %> rules render --offline --group hydra-cron',
  ]
  static override flags = {
    output: Flags.string({char: 'o', summary: 'write the rule file here (atomically) instead of stdout'}),
    tests: Flags.string({summary: 'also write promtool unit tests for the rules to this file', dependsOn: ['output']}),
    offline: Flags.boolean({summary: 'do not ask Prometheus: render from the config alone'}),
    group: Flags.string({summary: 'only this rule group; repeatable', options: ['hydra-nodes', 'hydra-gpu', 'hydra-prometheus', 'hydra-loki', 'hydra-cron'], multiple: true}),
    'gpu-exporter': Flags.string({summary: 'the GPU exporter, instead of detecting it; repeatable', options: ['nvidia_smi', 'dcgm', 'nvidia_gpu'], multiple: true}),
    'max-for': durationFlag({summary: "cap every rule's `for` (a test lab wants alerts within seconds), e.g. 2s", timer: false}),
  }

  async run() {
    const maxForMs = this.flags['max-for']
    const output = this.flags.output ? resolve(this.flags.output) : undefined
    const files = output && this.flags.tests ? {rules: output, tests: resolve(this.flags.tests)} : undefined
    const prom = this.flags.offline ? undefined : new PrometheusClient(this.cluster.prometheus)
    try {
      const options = {offline: Boolean(this.flags.offline), maxForMs, groups: this.flags.group, gpuExporters: this.flags['gpu-exporter'] as GpuExporterKind[] | undefined, files}
      const report = await renderClusterRules(this.cluster, options, prom)
      this.setExitCode(report.exitCode)
      if (report.source.reason && !this.flags.offline) this.note(`warning: ${report.source.reason}: rendered from the config alone (--offline to mean it)`)
      for (const n of report.source.notes) this.note(`note: ${n}`)
      if (output) write(output, report.yaml)
      if (files && report.testsYaml) write(files.tests, report.testsYaml)
      if (!this.jsonEnabled()) {
        if (output) this.note(`wrote ${counted(report.rules, 'rule')} in ${counted(report.groups.length, 'group')} to ${output}${files ? `, promtool tests to ${files.tests}` : ''}`)
        else process.stdout.write(report.yaml)
      }
      return {...report, output, tests: files?.tests}
    } finally {
      await prom?.close()
    }
  }
}

function write(path: string, text: string): void {
  try {
    writeFileAtomically(path, text)
  } catch (error) {
    throw new OperationError('write_failed', `cannot write ${path}: ${(error as Error).message}`, {hint: 'the directory must exist and be writable'})
  }
}
