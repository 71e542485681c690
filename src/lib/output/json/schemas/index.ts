/**
 * Every command's `--json` document, by command: the schemas docs/json/<command>.schema.json is
 * generated from (npm run json-schemas). A new command with --json needs an entry here (a unit test
 * checks that every command in the manifest has one); a changed report needs its body changed here.
 */
import {configInit, configShow, configValidate, version} from './config.js'
import {documentSchema, type z} from './common.js'
import {doctor} from './doctor.js'
import {backupDashboards, backupVerify, dashboardsCheck, dashboardsGenerate, dashboardsImport, dashboardsList, datasources, restoreDashboards} from './grafana.js'
import {logs, lokiCanary, lokiLabels, rulesDiff, rulesRender, silenceAdd, silenceExpire, silenceList} from './loki-rules.js'
import {dockerLogdriver, dockerLogs, exporterStatus, firewallCheck} from './nodes.js'
import {alerts, configScrape, query, targets, tsdbCompact, tsdbDeleteSeries, tsdbSnapshot, tsdbStatus} from './prometheus.js'
import {cluster, gpu, health, inference} from './views.js'

type Body = z.ZodObject | z.ZodObject[]

/** command as typed → [its body (or its bodies), a one-line description] */
const BODIES: Record<string, [Body, string]> = {
  alerts: [alerts, 'firing and pending alerts, rule health, and Alertmanager alerts and silences'],
  'backup dashboards': [backupDashboards, 'one backup run of Grafana dashboards (and, with --only, other Grafana objects)'],
  'backup verify': [backupVerify, 'a backup directory checked against its manifest'],
  cluster: [cluster, 'each node: up, root disk free, memory available, against the thresholds'],
  'config init': [configInit, 'the config file written'],
  'config scrape': [configScrape, 'the scrape configs the cluster config renders, or (--diff) their drift from the server'],
  'config show': [configShow, 'the config in use and where it came from'],
  'config validate': [configValidate, 'a valid config, counted (an invalid one is the error document)'],
  'dashboards check': [dashboardsCheck, "each dashboard's panels checked against Grafana's data sources and Prometheus's metrics"],
  'dashboards generate': [dashboardsGenerate, 'the generated control-plane dashboard'],
  'dashboards import': [dashboardsImport, 'one dashboard import (or, --dry-run, what it would do)'],
  'dashboards list': [dashboardsList, "Grafana's dashboards, and the config's expected ones found or missing"],
  datasources: [datasources, "Grafana's data sources, their health, and where they point"],
  'docker logdriver': [dockerLogdriver, "each container's log driver against the config's expectation"],
  'docker logs': [dockerLogs, "a container's last log lines"],
  doctor: [doctor, 'every check of the runbook, with causes and fixes'],
  'exporter status': [exporterStatus, 'each exporter: service state, listening port, metrics fetch'],
  'firewall check': [firewallCheck, "each node's firewall verdict for its exporter ports"],
  gpu: [gpu, 'each GPU: temperature, power, memory, utilisation'],
  health: [health, 'each service and app probed over HTTP'],
  inference: [inference, 'TabbyAPI throughput, latency and load'],
  logs: [logs, 'log lines (or a metric query) from Loki'],
  'loki canary': [lokiCanary, 'one line pushed to Loki and read back'],
  'loki labels': [lokiLabels, "Loki's label names, or one label's values"],
  query: [query, 'a PromQL query, instant or range'],
  'restore dashboards': [restoreDashboards, 'a restore (or, --dry-run, what it would do)'],
  'rules diff': [rulesDiff, "the rendered alert rules against the server's loaded ones"],
  'rules render': [rulesRender, "the alert rules rendered for the cluster"],
  'silence add': [silenceAdd, 'the silences created (or, --dry-run, planned)'],
  'silence expire': [silenceExpire, 'the silences expired'],
  'silence list': [silenceList, "Alertmanager's silences"],
  targets: [targets, "the server's scrape targets and their health"],
  'tsdb compact': [tsdbCompact, 'tombstones cleaned (Prometheus) or a forced merge (VictoriaMetrics)'],
  'tsdb delete-series': [tsdbDeleteSeries, 'the series a matcher selects, and whether they were deleted'],
  'tsdb snapshot': [tsdbSnapshot, 'the snapshot taken'],
  'tsdb status': [tsdbStatus, 'head block, top series, retention against the config, admin API'],
  version: [version, "hydra's version, commit, Node and platform"],
}

export const BODY_SCHEMAS: Record<string, Body> = Object.fromEntries(Object.entries(BODIES).map(([c, [b]]) => [c, b]))

/** command as typed → the zod schema of its whole document (result or error) */
export const DOCUMENT_SCHEMAS = Object.fromEntries(Object.entries(BODIES).map(([c, [b, d]]) => [c, documentSchema(c, b, d)]))

/** "tsdb status" → "tsdb-status.schema.json" */
export function schemaFileName(command: string): string {
  return `${command.split(' ').join('-')}.schema.json`
}
