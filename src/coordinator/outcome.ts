import type { ErrorCode } from '../core/api/error-codes';

/** The result of a coordinator call: RPC carries data, not exception types, so failures are values. */
export type Outcome<T> = { ok: true; value: T } | Failure;

/** A refused call: the HTTP status the admin API answers with, a stable code, a public message, optional details. */
export interface Failure {
  ok: false;
  status: 400 | 404 | 409 | 412 | 422 | 428;
  code: ErrorCode;
  error: string;
  details?: unknown;
}

/** A successful outcome. */
export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** A refused outcome. */
export function fail(status: Failure['status'], code: ErrorCode, error: string, details?: unknown): Failure {
  return details === undefined ? { ok: false, status, code, error } : { ok: false, status, code, error, details };
}
