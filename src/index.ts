import { createApp } from './http/app';

export { RolloutCoordinator } from './coordinator/rollout-coordinator';

const app = createApp();

/** The Worker: HTTP through Hono; the cron arrives with health monitoring. */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
