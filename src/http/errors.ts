/** An operational error: its message is safe to show to the caller as it is. */
export class RollgateError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 503,
    readonly publicMessage: string,
    /** An OpenFeature error code, for OFREP routes. */
    readonly errorCode?: string,
    /** Structured details for admin and metrics answers, e.g. `{ errors: [{ path, message }] }`. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(publicMessage);
    this.name = 'RollgateError';
  }
}
