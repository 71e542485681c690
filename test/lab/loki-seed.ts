/**
 * The lab's log lines, as the Docker loki driver labels them: ONE source for the real Lokis
 * (loki-real.ts pushes them once each is ready) and the Loki stand-in (standins/loki.ts seeds them).
 */

/** tenants of the seeded lines: the lab config's services.loki.tenant, and a second one */
export const LOKI_TENANT = 'hydra'
export const LOKI_OTHER_TENANT = 'other'

export interface SeedStream {
  tenant: string
  labels: Record<string, string>
  /** [seconds ago, nanoseconds added, line] */
  lines: readonly (readonly [number, number, string])[]
}

/** What the Docker loki driver attaches (docs: clients/docker-driver/configuration): container_name, host, filename, compose_*. */
function dockerLabels(container: string, host: string, project: string): Record<string, string> {
  return {container_name: container, host, filename: `/var/lib/docker/containers/${container}-0123/${container}-0123-json.log`, compose_project: project, compose_service: container}
}

export const LAB_LOKI_STREAMS: readonly SeedStream[] = [
  {
    tenant: LOKI_TENANT,
    labels: dockerLabels('tabbyapi', 'hydra-ai', 'ai'),
    lines: [
      [1500, 101_202_303, 'INFO:     Started server process [1]'],
      [1499, 404_505_606, 'INFO:     Uvicorn running on http://0.0.0.0:5000 (Press CTRL+C to quit)'],
      [1200, 707_808_909, 'INFO:     127.0.0.1:51234 - "POST /v1/completions HTTP/1.1" 200'],
      [900, 123_456_789, 'INFO:     127.0.0.1:51236 - "POST /v1/chat/completions HTTP/1.1" 200'],
      [600, 987_654_321, 'ERROR:    Exception in ASGI application: CUDA out of memory. Tried to allocate 2.00 GiB'],
      [300, 555_000_001, 'WARNING:  generation took 31.2s, over the 30s budget'],
      [60, 1, 'INFO:     127.0.0.1:51240 - "GET /health HTTP/1.1" 200'],
    ],
  },
  {
    tenant: LOKI_TENANT,
    labels: dockerLabels('loki', 'hydra-storage', 'monitoring'),
    lines: [
      [1400, 250_000_000, 'level=info ts=2026-01-01T00:00:00Z caller=main.go:108 msg="Starting Loki" version=3.4.2'],
      [1000, 750_000_123, 'level=warn ts=2026-01-01T00:06:40Z caller=ingester.go:412 msg="flush queue is long" length=120'],
      [700, 999_999_999, 'level=error ts=2026-01-01T00:11:40Z caller=flush.go:143 msg="failed to flush chunks" err="context deadline exceeded"'],
      [120, 42, 'level=info ts=2026-01-01T00:21:40Z caller=table_manager.go:271 msg="uploading tables"'],
    ],
  },
  {
    tenant: LOKI_TENANT,
    labels: dockerLabels('litellm', 'hydra-storage', 'ai'),
    lines: [
      [1100, 11, '{"level":"info","message":"LiteLLM: Proxy initialized","model_count":3}'],
      [800, 22, '{"level":"error","message":"upstream tabbyapi returned 502","model":"qwen-coder"}'],
      [200, 33, '{"level":"debug","message":"cache hit","key":"c0ffee"}'],
    ],
  },
  {
    tenant: LOKI_OTHER_TENANT,
    labels: dockerLabels('ollama', 'hydra-ai', 'ai'),
    lines: [
      [500, 7, 'time=2026-01-01T00:00:00Z level=INFO source=server.go:600 msg="llama runner started"'],
      [400, 8, 'time=2026-01-01T00:01:40Z level=ERROR source=sched.go:455 msg="error loading model" error="out of memory"'],
    ],
  },
]

/** The error lines of tenant hydra, as Loki 3's detected_level sees them (the preset must find these). */
export const LAB_ERROR_LINES = [
  'ERROR:    Exception in ASGI application: CUDA out of memory. Tried to allocate 2.00 GiB',
  'level=error ts=2026-01-01T00:11:40Z caller=flush.go:143 msg="failed to flush chunks" err="context deadline exceeded"',
  '{"level":"error","message":"upstream tabbyapi returned 502","model":"qwen-coder"}',
]

/** Push the seed lines (JSON push, nanosecond strings) to a Loki's push URL. */
export async function pushSeed(pushUrl: string, nowNs: bigint, streams: readonly SeedStream[] = LAB_LOKI_STREAMS): Promise<void> {
  const byTenant = new Map<string, SeedStream[]>()
  for (const s of streams) byTenant.set(s.tenant, [...(byTenant.get(s.tenant) ?? []), s])
  for (const [tenant, list] of byTenant) {
    const body = {
      streams: list.map((s) => ({
        stream: s.labels,
        values: s.lines.map(([ago, nanos, line]) => [(nowNs - BigInt(ago) * 1_000_000_000n + BigInt(nanos)).toString(), line]),
      })),
    }
    const res = await fetch(`${pushUrl}/loki/api/v1/push`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Scope-OrgID': tenant},
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
    const text = await res.text()
    if (res.status !== 204) throw new Error(`pushing the lab's log lines to ${pushUrl} (tenant ${tenant}) answered ${res.status}: ${text}`)
  }
}
