import { isDeepStrictEqual } from 'node:util';
import type { Resolution } from '../../src/core/flags/resolution';

/** The flag types the testbed's steps name. */
export type FlagType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

/** Parses a step's literal into the typed value, as the flagd testbed harnesses do. */
export function typedValue(type: string, raw: string): unknown {
  switch (type) {
    case 'Boolean':
      return raw === 'true';
    case 'Integer':
      return Number.parseInt(raw, 10);
    case 'Float':
      return Number.parseFloat(raw);
    case 'Object':
      return JSON.parse(raw.replace(/\\"/g, '"'));
    default:
      return raw;
  }
}

/** What an OpenFeature SDK would hand the caller for a resolution, given its fallback and the requested type. */
export interface Details {
  value: unknown;
  reason: string;
  errorCode: string | undefined;
  variant: string | undefined;
  metadata: Record<string, unknown>;
}

function typeMatches(type: FlagType, value: unknown): boolean {
  switch (type) {
    case 'Boolean':
      return typeof value === 'boolean';
    case 'String':
      return typeof value === 'string';
    case 'Integer':
    case 'Float':
      return typeof value === 'number';
    case 'Object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** Applies an SDK's fallback and type-check rules to a resolution. */
export function toDetails(type: FlagType, fallback: unknown, r: Resolution): Details {
  if (r.errorCode) {
    return { value: fallback, reason: 'ERROR', errorCode: r.errorCode, variant: undefined, metadata: { ...r.metadata } };
  }
  if (r.value === undefined) {
    return { value: fallback, reason: r.reason, errorCode: undefined, variant: undefined, metadata: { ...r.metadata } };
  }
  if (!typeMatches(type, r.value)) {
    return { value: fallback, reason: 'ERROR', errorCode: 'TYPE_MISMATCH', variant: undefined, metadata: { ...r.metadata } };
  }
  return { value: r.value, reason: r.reason, errorCode: undefined, variant: r.variant, metadata: { ...r.metadata } };
}

/** Deep equality for step assertions. */
export function sameValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}
