import { isProtected } from '../core/config/environments';
import type { RollgateConfig } from '../core/schema/config';
import { fail, type Failure } from './outcome';

export { isProtected };

/** The 428 of an unconfirmed write to a protected environment: names the header and its value. */
export function unconfirmed(environment: string): Failure {
  return fail(428, 'confirmation_required', `"${environment}" is protected: repeat the request with the header X-Rollgate-Confirm: ${environment}`);
}

/**
 * Refuses a write to a protected environment that X-Rollgate-Confirm did not name (428), before
 * anything is checked or committed; null when it may go ahead. Rollback and pause never ask: they
 * only reduce exposure, and must stay one call at 3 a.m.
 */
export function confirmationFailure(config: RollgateConfig | null, environment: string, confirmed: boolean): Failure | null {
  return confirmed || !isProtected(config, environment) ? null : unconfirmed(environment);
}
