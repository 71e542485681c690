/** Errors a check meets, as outcomes (never a crash). Shared by the checks of every family. */
import {isHttpError} from '../clients/http/index.js'
import {HydraError} from '../errors.js'
import type {CheckOutcome} from './model.js'

export function errorText(error: unknown): string {
  if (isHttpError(error)) return error.summary
  return error instanceof Error ? error.message : String(error)
}

/** A failure of an HTTP call a check makes, as an outcome. */
export function httpFailure(what: string, error: unknown, cause = 'unreachable'): CheckOutcome {
  if (isHttpError(error)) return {status: 'fail', cause: error.failure === 'timeout' || error.failure === 'connect_timeout' ? 'timeout' : cause, detail: `${what}: ${error.message}`, evidence: error.body ? [error.body] : undefined, hint: error.hint}
  if (error instanceof HydraError) return {status: 'fail', cause: error.code, detail: `${what}: ${error.message}`, hint: error.hint}
  return {status: 'fail', cause: 'error', detail: `${what}: ${errorText(error)}`}
}
