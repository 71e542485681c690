/** What `hydra config show` and `hydra config validate` report about a config. Pure. */
import {EMBEDDED, parseConfigText, readConfigFile, type LoadedConfig} from './loader.js'
import {resolveConfig, type HydraConfig} from './resolve.js'

export interface ConfigShowReport {
  source: {kind: LoadedConfig['source']['kind']; path: string}
  config: HydraConfig['raw']
  endpoints: {id: string; url: string; required: boolean; timeoutMs: number}[]
  assumptions: string[]
}

/** `hydra config show`: the raw config, where it came from, its endpoints and the default's assumptions. */
export function configShowReport({config, source, assumptions}: LoadedConfig): ConfigShowReport {
  const endpoints = [config.prometheus, config.grafana, config.loki, config.alertmanager, ...config.apps]
    .filter((e) => e !== undefined)
    .map((e) => ({id: e.id, url: e.baseUrl, required: e.required, timeoutMs: e.timeoutMs}))
  return {source: {kind: source.kind, path: source.path}, config: config.raw, endpoints, assumptions}
}

/** Where a config came from, for a person: the file (and how it was found), or the embedded default. */
export function describeSource(source: ConfigShowReport['source']): string {
  return source.kind === 'default' ? EMBEDDED : `${source.path} (${source.kind})`
}

export interface ConfigValidateReport {
  valid: true
  file: string
  nodes: number
  exporters: number
  services: number
  apps: number
}

/** `hydra config validate`: FILE (or the config hydra would use, loaded by `loaded`) parsed and resolved; an invalid one throws. */
export function validateConfig(file: string | undefined, loaded: () => LoadedConfig): ConfigValidateReport {
  const {path, config} = file ? {path: file, config: resolveConfig(parseConfigText(readConfigFile(file), file))} : {path: loaded().source.path, config: loaded().config}
  return {
    valid: true,
    file: path,
    nodes: config.nodes.length,
    exporters: config.nodes.reduce((n, node) => n + node.exporters.length, 0),
    services: [config.prometheus, config.grafana, config.loki, config.alertmanager].filter(Boolean).length,
    apps: config.apps.length,
  }
}
