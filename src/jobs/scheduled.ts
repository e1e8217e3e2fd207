import { logEvent } from '../log';
import { bundledEnvironments } from '../environments';

/**
 * The cron (every minute): hands `controller.scheduledTime` to every environment's coordinator,
 * which gathers health, applies the rollout plans and publishes. The same scheduledTime twice is a
 * no-op in the coordinator, so a retried or overlapping cron cannot double-apply.
 */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = controller.scheduledTime;
  const environments = bundledEnvironments();
  const results = await Promise.allSettled(environments.map((name) => env.COORDINATOR.getByName(name).tick(now)));
  results.forEach((r, i) => {
    if (r.status === 'rejected')
      logEvent({ event: 'tick_failed', environment: environments[i], scheduledTime: now, message: String((r.reason as Error)?.message ?? r.reason) });
    else if (r.value.changed.length > 0) logEvent({ event: 'tick', environment: environments[i], scheduledTime: now, changed: r.value.changed });
  });
}
