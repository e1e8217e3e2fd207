import type { ErrorCode } from '../core/api/error-codes';
import type { ErrorResponse } from './admin/api-types';

/** What an error may carry beside its code and message. */
export interface RollgateErrorExtra {
  /** An OpenFeature error code, for OFREP routes (which answer with their own shape). */
  readonly ofrepCode?: string;
  /** Structured details for admin and metrics answers, e.g. `{ errors: [{ path, message }] }`. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An operational error: its message is safe to show to the caller as it is; its code is stable. */
export class RollgateError extends Error {
  /** An OpenFeature error code, for OFREP routes. */
  readonly errorCode?: string;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 503,
    readonly code: ErrorCode,
    readonly publicMessage: string,
    extra: RollgateErrorExtra = {},
  ) {
    super(publicMessage);
    this.name = 'RollgateError';
    if (extra.ofrepCode !== undefined) this.errorCode = extra.ofrepCode;
    if (extra.details !== undefined) this.details = extra.details;
  }
}

/** The admin and metrics APIs' error body: `{ error, code, ...details }`. */
export function errorBody(err: RollgateError): ErrorResponse {
  return { error: err.publicMessage, code: err.code, ...err.details };
}
