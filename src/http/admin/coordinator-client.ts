import type { RolloutCoordinator } from '../../coordinator/rollout-coordinator';

/** The coordinator's RPC methods, typed as the class declares them. */
export type CoordinatorApi = Pick<
  RolloutCoordinator,
  | 'summary'
  | 'getConfig'
  | 'putConfig'
  | 'validateConfig'
  | 'revertConfig'
  | 'configHistory'
  | 'listRollouts'
  | 'getRollout'
  | 'startRollout'
  | 'rolloutAction'
  | 'tick'
  | 'auditPage'
  | 'issueKey'
  | 'listKeys'
  | 'revokeKey'
  | 'notifications'
>;

/**
 * The coordinator of an environment. The stub is viewed through the class's own method types:
 * the RPC layer returns the same structured data, and its mapped types overflow the checker on
 * the recursive JSON of a config document.
 */
export function coordinator(c: { env: Env }, env: string): CoordinatorApi {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- without the cast the checker overflows (TS2589) on the stub's mapped types
  return c.env.COORDINATOR.getByName(env) as unknown as CoordinatorApi;
}
