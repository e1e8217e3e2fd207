import { createApp } from './http/app';
import { scheduled } from './jobs/scheduled';

export { RolloutCoordinator } from './coordinator/rollout-coordinator';
export { MetricsShard } from './metrics/metrics-shard';

const app = createApp();

/** The Worker: HTTP through Hono, and the every-minute cron that drives rollouts. */
export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
