/**
 * The one HTTP client every service module uses, split by concern:
 *   errors.ts    the error model (HttpError exit 1; HttpAuthError, an AuthError, exit 4)
 *   transport.ts the client: deadlines, retries, TLS, connection sharing (HttpClient)
 *   exchange.ts  one request and its whole response on undici's dispatch API, the size cap
 *   auth.ts      the Authorization header from a config auth block
 *   classify.ts  which cause a failure is, its summary and hint, whether to retry
 *   body.ts      body sniffing: JSON, HTML pages, truncated documents
 *   shared.ts    keep-alive across clients within a scope (one agent per transport options)
 */
export {authorizationHeader} from './auth.js'
export {parseJsonBody} from './body.js'
export {classifyError} from './classify.js'
export {HttpAuthError, HttpError, httpError, isAuthStatus, isHttpError, type HttpErrorInit, type HttpFailure, type HttpFailureCause} from './errors.js'
export {clientForEndpoint, HttpClient} from './transport.js'
export {withSharedConnections} from './shared.js'
export type {HttpClientOptions, HttpResponse, RequestOptions} from './types.js'
