/** Attempts a delivery gets at most (the first and 7 retries). */
export const MAX_DELIVERY_ATTEMPTS = 8;
/** A delivery older than this gets no more retries after its next failed attempt (one that waited behind others still gets one). */
export const DELIVERY_GIVE_UP_MS = 2 * 3600 * 1000;
/** How long one attempt may take before it counts as failed. */
export const DELIVERY_TIMEOUT_MS = 5000;

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 3600 * 1000;

/**
 * The wait after the `attempts`-th failed attempt: 2 s, 8 s, 32 s, 128 s… (×4), at most an hour;
 * the 8 attempts span about 1¾ hours.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 4 ** Math.max(0, attempts - 1));
}

/** Whether a delivery created at `createdAt` that just failed its `attempts`-th attempt at `now` is given up. */
export function givesUp(attempts: number, createdAt: number, now: number): boolean {
  return attempts >= MAX_DELIVERY_ATTEMPTS || now - createdAt >= DELIVERY_GIVE_UP_MS;
}
