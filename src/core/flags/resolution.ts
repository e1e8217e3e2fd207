import type { JsonValue } from '../json';
import type { Metadata } from '../schema/flag';

/** OpenFeature resolution reasons Rollgate answers with. SPLIT marks a rollout's bucketing. */
export type Reason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'ERROR';

/** OpenFeature error codes an evaluation can end in. */
export type ErrorCode = 'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL';

/**
 * The outcome of evaluating one flag: data, never an exception. A resolution without `value`
 * tells the caller to use its code default (code-default flags, DISABLED, errors).
 * Resolutions may be shared between evaluations and must be treated as read-only.
 */
export interface Resolution {
  readonly key: string;
  readonly reason: Reason;
  readonly value?: JsonValue;
  readonly variant?: string;
  readonly errorCode?: ErrorCode;
  readonly errorDetails?: string;
  readonly metadata: Readonly<Metadata>;
}

/** The resolution for a key that is not in the flag set. */
export function flagNotFound(key: string, metadata: Readonly<Metadata>): Resolution {
  return { key, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag '${key}' was not found`, metadata };
}
