import { createApp } from './http/app';

const app = createApp();

/** The Worker: HTTP through Hono. Durable Objects and the cron arrive with the coordinator. */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
