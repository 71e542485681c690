/** The HTTP client's options and response shapes (no code: imported by every file here). */
import type {AuthConfig, TlsConfig} from '../../config/schema.js'

export interface HttpClientOptions {
  /** e.g. http://127.0.0.2:9090 or https://host/prefix (path prefix kept) */
  baseUrl: string
  /** TOTAL budget per call, across retries */
  timeoutMs: number
  /** default min(timeoutMs, 3000) */
  connectTimeoutMs?: number
  headers?: Record<string, string>
  /** resolved lazily on the first request, so services that need no auth never require the secret */
  auth?: AuthConfig
  tls?: TlsConfig
  /** default 32 MiB; exceeding it aborts the request with failure 'too_large' */
  maxBodyBytes?: number
  /** default 2; only for GET/HEAD */
  retries?: number
  /** default `hydra/<version>` */
  userAgent?: string
  /** what this client talks to (e.g. the endpoint id "grafana"), used in secret-missing messages */
  name?: string
}

export interface RequestOptions {
  /** arrays → repeated params (match[]=a&match[]=b); undefined values are left out */
  query?: Record<string, string | number | boolean | string[] | undefined>
  headers?: Record<string, string>
  body?: string | Buffer
  /** serialised, with content-type application/json */
  json?: unknown
  /** application/x-www-form-urlencoded; arrays → repeated fields */
  form?: Record<string, string | string[]>
  /** overrides the client's total timeout for this call */
  timeoutMs?: number
  /** overrides the client's retries (still only GET/HEAD) */
  retries?: number
  /** default: 2xx is ok, anything else throws HttpError('http_status'); 'any' never throws on status */
  okStatus?: number[] | 'any'
  /** external cancellation → failure 'timeout' */
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  /** standard reason phrase for the status */
  statusText: string
  /** lower-case names; repeated headers joined with ", " */
  headers: Record<string, string>
  body: Buffer
  text(): string
  /** safe URL */
  url: string
  elapsedMs: number
  /** the request method (lets parseJsonBody name it in errors) */
  method?: string
}
