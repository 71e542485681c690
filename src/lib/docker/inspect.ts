/**
 * `docker inspect` output (api/swagger.yaml ContainerInspectResponse), reduced to what hydra
 * reads: state and `HostConfig.LogConfig`. Pure.
 */
export interface ContainerStateInfo {
  status: string
  running: boolean
  restarting: boolean
  exitCode: number
  error: string
  startedAt?: string
  finishedAt?: string
  oomKilled: boolean
}

export interface ContainerInfo {
  /** without the leading / the engine stores */
  name: string
  id: string
  image: string
  state: ContainerStateInfo
  logDriver: string
  logOptions: Record<string, string>
}

export class DockerParseError extends Error {}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** `docker inspect --format '{{json .State}}'`. */
export function parseContainerState(value: unknown): ContainerStateInfo {
  const s = asRecord(value)
  return {
    status: typeof s.Status === 'string' ? s.Status : 'unknown',
    running: s.Running === true,
    restarting: s.Restarting === true,
    exitCode: typeof s.ExitCode === 'number' ? s.ExitCode : 0,
    error: typeof s.Error === 'string' ? s.Error : '',
    startedAt: typeof s.StartedAt === 'string' ? s.StartedAt : undefined,
    finishedAt: typeof s.FinishedAt === 'string' ? s.FinishedAt : undefined,
    oomKilled: s.OOMKilled === true,
  }
}

export function parseContainerStateText(text: string): ContainerStateInfo {
  let value: unknown
  try {
    value = JSON.parse(text.trim())
  } catch {
    throw new DockerParseError(`docker inspect printed something that is not JSON: ${JSON.stringify(text.slice(0, 120))}`)
  }
  return parseContainerState(value)
}

/** `docker inspect A B …`: a JSON array of full inspect documents. */
export function parseDockerInspect(text: string): ContainerInfo[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new DockerParseError(`docker inspect printed something that is not JSON: ${JSON.stringify(text.slice(0, 120))}`)
  }
  if (!Array.isArray(value)) throw new DockerParseError('docker inspect did not print a JSON array')
  return value.map((item) => {
    const c = asRecord(item)
    const host = asRecord(c.HostConfig)
    const log = asRecord(host.LogConfig)
    const config = asRecord(c.Config)
    const options: Record<string, string> = {}
    for (const [k, v] of Object.entries(asRecord(log.Config))) options[k] = String(v)
    return {
      name: typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : '',
      id: typeof c.Id === 'string' ? c.Id : '',
      image: typeof config.Image === 'string' ? config.Image : typeof c.Image === 'string' ? c.Image : '',
      state: parseContainerState(c.State),
      logDriver: typeof log.Type === 'string' && log.Type ? log.Type : 'unknown',
      logOptions: options,
    }
  })
}

/** `docker ps -a --format '{{.Names}}'`: one name per line (a container linked under several names lists them comma-separated). */
export function parseContainerNames(text: string): string[] {
  return text
    .split('\n')
    .flatMap((l) => l.trim().split(','))
    .map((n) => n.trim())
    .filter(Boolean)
}

/** Docker's error for a missing container, on stderr ("Error: No such object: x" / "Error response from daemon: No such container: x"). */
export function isNoSuchContainer(stderr: string): boolean {
  return /No such (container|object)/i.test(stderr)
}
