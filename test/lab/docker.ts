/**
 * The lab's Docker engine runs outside the namespace (scripts/lab-dockerd.sh; `ip netns exec`
 * hides the cgroup mounts dockerd needs). The test runner exports HYDRA_LAB_DOCKER_HOST; the lab
 * hands it to the lab nodes' SSH sessions as DOCKER_HOST. Tests that need Docker call
 * `labDockerHost()`, which FAILS (never skips) when the engine was not started.
 */
import {spawnSync} from 'node:child_process'

export const LAB_DOCKER_ENV = 'HYDRA_LAB_DOCKER_HOST'

/** The containers scripts/lab-dockerd.sh starts, with their log drivers. */
export const LAB_CONTAINERS = {tabbyapi: 'json-file', loki: 'json-file', cadvisor: 'local', qdrant: 'syslog', litellm: 'none'} as const

export function labDockerHost(env: NodeJS.ProcessEnv = process.env): string {
  const host = env[LAB_DOCKER_ENV]
  if (!host)
    throw new Error(
      `${LAB_DOCKER_ENV} is not set: the lab's Docker engine is not running. Start it OUTSIDE the lab namespace with ` +
        '`scripts/lab-dockerd.sh start STATE_DIR` and export HYDRA_LAB_DOCKER_HOST=unix://STATE_DIR/docker.sock before starting the lab',
    )
  return host
}

/** Run the docker CLI against the lab's engine (for test setup and cross-checks). */
export function labDocker(args: string[]): {stdout: string; stderr: string; status: number | null} {
  const r = spawnSync('docker', args, {encoding: 'utf8', env: {...process.env, DOCKER_HOST: labDockerHost()}, timeout: 30_000})
  if (r.error) throw new Error(`docker ${args.join(' ')}: ${r.error.message}`)
  return {stdout: r.stdout, stderr: r.stderr, status: r.status}
}
