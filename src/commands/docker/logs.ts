import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {nodeFlag} from '../../flags.js'

export default class DockerLogs extends HydraCommand<typeof DockerLogs> {
  static override summary = "print the last lines of a container's log on its node"
  static override description = `Runs docker logs --tail N over SSH on the node the config places the container on (loki and prometheus on their service's node, apps and exporters on theirs), or on --node. The container's stdout goes to stdout and its stderr to stderr, as docker logs does. Replaces the runbook's docker logs loki --tail 50.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> docker logs loki',
    '<%= config.bin %> docker logs tabbyapi --tail 200',
    '<%= config.bin %> docker logs cadvisor --node hydra-storage --json',
  ]
  static override args = {
    container: Args.string({description: 'the container', required: true}),
  }
  static override flags = {
    tail: Flags.integer({summary: 'how many lines from the end', default: 50, min: 0, max: 100_000}),
    node: nodeFlag({summary: 'the node the container runs on (default: from the config); one: a container is read on one node'}),
  }

  async run() {
    const [{SshPool}, {containerLogs}] = await Promise.all([import('../../lib/clients/ssh.js'), import('../../lib/docker/logdriver.js')])
    const pool = new SshPool(this.cluster)
    try {
      const logs = await containerLogs(this.cluster, {pool, container: this.args.container, tail: this.flags.tail, nodes: this.flags.node})
      if (!this.jsonEnabled()) {
        process.stdout.write(logs.stdout)
        process.stderr.write(logs.stderr)
      }
      return {...logs, lines: (logs.stdout + logs.stderr).split('\n').filter(Boolean).length}
    } finally {
      await pool.closeAll()
    }
  }
}
