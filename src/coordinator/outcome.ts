/** The result of a coordinator call: RPC carries data, not exception types, so failures are values. */
export type Outcome<T> = { ok: true; value: T } | Failure;

/** A refused call: the HTTP status the admin API answers with, a public message, optional details. */
export interface Failure {
  ok: false;
  status: 400 | 404 | 409 | 412 | 422 | 428;
  error: string;
  details?: unknown;
}

/** A successful outcome. */
export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** A refused outcome. */
export function fail(status: Failure['status'], error: string, details?: unknown): Failure {
  return details === undefined ? { ok: false, status, error } : { ok: false, status, error, details };
}
