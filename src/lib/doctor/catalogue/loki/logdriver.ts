/** logdriver:<container> — a container expected on Loki logs with the loki Docker driver. */
import type {HydraConfig} from '../../../config/resolve.js'
import {checkLogDrivers, nodeForContainer} from '../../../docker/logdriver.js'
import {UserError} from '../../../errors.js'
import {DOCKER_DAEMON_FAULTS, SLACK_MS, type Check} from '../../model.js'
import {logdriverCheckId, sshCheckId} from '../ids.js'

export function logdriverCheck(cfg: HydraConfig, container: string): Check {
  const node = nodeForContainer(cfg, container)
  const nodes = node ? [node] : cfg.nodes
  return {
    id: logdriverCheckId(container),
    kind: 'logdriver',
    group: 'docker',
    service: container,
    ...(node ? {node: node.name} : {}),
    title: `container ${container} logs with the loki driver`,
    dependsOn: node ? [sshCheckId(node.name)] : [],
    timeoutMs: Math.max(...nodes.map((n) => n.ssh.connectTimeoutMs + 2 * n.ssh.commandTimeoutMs)) + SLACK_MS,
    async run(ctx) {
      let report
      try {
        report = await checkLogDrivers(cfg, {pool: ctx.resources.pool, nodes: nodes.map((n) => n.name), container})
      } catch (error) {
        if (error instanceof UserError) return {status: 'fail', cause: 'container_missing', detail: error.message, hint: `check the name in logs.lokiDriverExpected (docker ps -a on ${nodes.map((n) => n.name).join(', ')})`}
        throw error
      }
      const row = report.rows[0]
      if (!row) {
        const e = report.errors[0]
        return {status: 'fail', cause: e && DOCKER_DAEMON_FAULTS.has(e.failure) ? e.failure : 'ssh_command', detail: e ? e.message : `could not inspect ${container}`, hint: e?.hint}
      }
      const evidence = [`docker inspect ${container} on ${row.node}: HostConfig.LogConfig.Type=${row.driver}`]
      if (!row.ok) return {status: 'fail', cause: 'wrong_log_driver', detail: `${container} on ${row.node} ${row.problem}`, evidence, hint: row.hint}
      return {status: 'ok', detail: `${container} on ${row.node}: driver ${row.driver}`, evidence}
    },
  }
}
