/**
 * The cluster the Prometheus/Alertmanager fixtures were captured from: node exporters on
 * 127.0.0.2/.3 (hydra-storage, hydra-compute), GPU exporters on .3/.4, Prometheus 2.42 on .2.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse} from 'yaml'

import {resolveConfig, type HydraConfig} from '../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../src/lib/config/schema.js'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

export function fixture<T = unknown>(area: string, name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, area, name), 'utf8')) as T
}

export function fixtureText(area: string, name: string): string {
  return readFileSync(join(FIXTURES, area, name), 'utf8')
}

export const FIXTURE_CLUSTER_YAML = `
nodes:
  hydra-storage:
    address: 127.0.0.2
    exporters:
      node: {port: 9100, managedBy: process, process: prometheus-node-exporter}
  hydra-compute:
    address: 127.0.0.3
    exporters:
      node: {port: 9100, managedBy: process, process: prometheus-node-exporter}
      gpu: {port: 9835, managedBy: process, process: nvidia_gpu_exporter}
  hydra-ai:
    address: 127.0.0.4
    exporters:
      gpu: {port: 9835, managedBy: process, process: nvidia_gpu_exporter}
services:
  prometheus: {node: hydra-storage, port: 9090, retention: {time: 15d, size: 10GB}}
  alertmanager: {node: hydra-storage, port: 9093, required: false}
  loki: {node: hydra-storage, port: 3100, tenant: hydra}
thresholds: {rootDiskFreePercent: 40, memoryAvailablePercent: 10}
`

export function clusterConfig(yaml = FIXTURE_CLUSTER_YAML): HydraConfig {
  return resolveConfig(ConfigSchema.parse(parse(yaml)))
}
