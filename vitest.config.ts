import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const ENVIRONMENTS = ['development', 'staging', 'production'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts', 'sdk/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // The Worker secrets notifications, event-stream URLs and dashboard sessions are signed with, as .dev.vars.example sets them locally.
            miniflare: {
              bindings: {
                WEBHOOK_SECRETS: JSON.stringify(Object.fromEntries(ENVIRONMENTS.map((e) => [e, [`dev-webhook-secret-${e}`]]))),
                STREAM_TOKEN_SECRET: 'dev-stream-token-secret',
                SESSION_SECRET: 'dev-session-secret-change-me-0123456789abcdef',
              },
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
