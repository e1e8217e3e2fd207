/**
 * The machine codes of admin-API and metrics-API errors: `{ error, code, ...details }`. Clients
 * (the CLI among them) branch on the code, never on the message, which may be reworded.
 */
export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'not_found',
  'environment_not_found',
  'config_not_found',
  'config_version_not_found',
  'rollout_not_found',
  'key_not_found',
  'invalid_query',
  'invalid_body',
  'body_too_large',
  'unsupported_media_type',
  'validation_failed',
  'rollout_conflict',
  'key_conflict',
  'precondition_failed',
  'confirmation_required',
  'rate_limited',
  'unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether a value read from an answer is one of the codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}
