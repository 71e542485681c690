import {Args} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {nodeFlag} from '../../flags.js'
import {renderTable} from '../../lib/output/table.js'
import {statusWord} from '../../lib/output/terminal.js'
import type {LogDriverReport, LogDriverRow} from '../../lib/docker/logdriver.js'

export default class DockerLogdriver extends HydraCommand<typeof DockerLogdriver> {
  static override summary = "show each container's log driver and flag those that should ship to Loki"
  static override description = `Over SSH, lists every container on the node(s) (docker ps -a) and reads its HostConfig.LogConfig (docker inspect). Containers named in logs.lokiDriverExpected that do not use the loki driver are flagged. Replaces the runbook's docker inspect <container> | jq '.[0].HostConfig.LogConfig'.

${EXIT_CODES_HELP}
  (docker logdriver: 1 when a container expected on Loki uses another driver or is missing)`
  static override examples = [
    '<%= config.bin %> docker logdriver',
    '<%= config.bin %> docker logdriver tabbyapi',
    '<%= config.bin %> docker logdriver --node hydra-storage --json',
  ]
  static override args = {
    container: Args.string({description: 'only this container'}),
  }
  static override flags = {
    node: nodeFlag({summary: 'only containers on this node; repeatable (default: every node)'}),
  }

  async run() {
    const [{SshPool}, {checkLogDrivers}] = await Promise.all([import('../../lib/clients/ssh.js'), import('../../lib/docker/logdriver.js')])
    const pool = new SshPool(this.cluster)
    try {
      const report = await checkLogDrivers(this.cluster, {pool, nodes: this.flags.node, container: this.args.container})
      this.setExitCode(report.exitCode)
      if (!this.jsonEnabled()) this.render(report)
      return report
    } finally {
      await pool.closeAll()
    }
  }

  private render(report: LogDriverReport): void {
    if (report.rows.length > 0)
      this.print(
        renderTable(
          [
            {header: 'node', value: (r: LogDriverRow) => r.node},
            {header: 'container', value: (r) => r.container},
            {header: 'status', value: (r) => r.status},
            {header: 'driver', value: (r) => (r.ok ? r.driver : statusWord(this.style, r.driver))},
            {header: 'options', value: (r) => Object.entries(r.options).map(([k, v]) => `${k}=${v}`).join(' '), maxWidth: 60},
            {header: 'loki expected', value: (r) => (r.lokiExpected ? 'yes' : '')},
          ],
          report.rows,
          {tty: this.term.isTTY},
        ),
      )
    for (const r of report.rows.filter((x) => !x.ok)) this.print(`  ${r.node}/${r.container}: ${r.problem}\n    next: ${r.hint}`)
    for (const m of report.missing) this.print(`  ${m}: expected on Loki (logs.lokiDriverExpected) but no checked node has such a container`)
    for (const x of report.rejectedNames) this.note(`warning: ${x.node}: skipped a container whose name is not a valid container name: ${JSON.stringify(x.name)}`)
    for (const e of report.errors) this.print(`${e.node}: ${e.message}${e.hint ? `\n  next: ${e.hint}` : ''}`)
  }
}
