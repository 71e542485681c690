import {Args} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {nodeFlag} from '../../flags.js'
import {logDriverWarnings, renderLogDrivers} from '../../lib/docker/render.js'

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
      const text = renderLogDrivers(report, {style: this.style, tty: this.term.isTTY})
      if (text) this.print(text)
      if (!this.jsonEnabled()) for (const w of logDriverWarnings(report)) this.note(w)
      return report
    } finally {
      await pool.closeAll()
    }
  }
}
