import type { Resolution } from '../../core/flags/resolution';

/** Shared resolutions are serialized once: static flags then cost a map lookup per request. */
const memo = new WeakMap<Resolution, string>();

/** The OFREP JSON of one resolution: a success, a code default (no value), or a failure. */
export function resolutionJson(r: Resolution): string {
  let json = memo.get(r);
  if (json === undefined) {
    json = JSON.stringify(
      r.errorCode
        ? { key: r.key, errorCode: r.errorCode, errorDetails: r.errorDetails, metadata: r.metadata }
        : { key: r.key, reason: r.reason, variant: r.variant, value: r.value, metadata: r.metadata },
    );
    memo.set(r, json);
  }
  return json;
}

/** The HTTP status of a single-flag evaluation: OFREP's mapping of error codes. */
export function statusOf(r: Resolution): 200 | 400 | 404 {
  if (!r.errorCode) return 200;
  return r.errorCode === 'FLAG_NOT_FOUND' ? 404 : 400;
}
