import { buildSnapshot } from '../../src/core/config/build-snapshot';
import type { RollgateConfig } from '../../src/core/schema/config';
import type { ActiveRollout } from '../../src/core/schema/flag';
import type { Snapshot } from '../../src/core/schema/snapshot';
import { sha256Hex } from '../../src/core/sha256';

/** A small config with one flag of each kind the routes must handle. */
export const testConfig: RollgateConfig = {
  environments: ['development', 'staging', { name: 'production', protected: true }],
  metadata: { team: 'web' },
  $evaluators: { isStaff: { ends_with: [{ var: 'email' }, '@rollgate.dev'] } },
  flags: {
    'static-bool': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    banner: {
      state: 'ENABLED',
      variants: { staff: 'Hello staff', everyone: 'Hello' },
      defaultVariant: 'everyone',
      targeting: { if: [{ $ref: 'isStaff' }, 'staff', null] },
      environments: { staging: { variants: { everyone: 'Hello from staging' } } },
    },
    'code-default': { state: 'ENABLED', variants: { a: 1, b: 2 } },
    disabled: { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    broken: { state: 'ENABLED', variants: { a: 'a' }, defaultVariant: 'a', targeting: { nope: [1] } },
    'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', metadata: { category: 'critical' } },
  },
};

/** The client key of an environment in these tests: scope `evaluate` (OFREP). */
export const keyOf = (env: string): string => `test-key-${env}`;

/** The report key of an environment in these tests: scope `report` (POST /v1/metrics). */
export const reportKeyOf = (env: string): string => `test-report-${env}`;

/** A snapshot of `environment` built from `config`, accepting keyOf(environment) and reportKeyOf(environment). */
export async function snapshotOf(
  environment: string,
  version: number,
  options: { config?: RollgateConfig; rollouts?: Record<string, ActiveRollout>; publishedAt?: number } = {},
): Promise<Snapshot> {
  return buildSnapshot(options.config ?? testConfig, {
    environment,
    version,
    publishedAt: options.publishedAt ?? Date.UTC(2026, 10, 27, 12),
    clientKeys: [
      { name: 'test', sha256: await sha256Hex(keyOf(environment)), scopes: ['evaluate'] },
      { name: 'test-report', sha256: await sha256Hex(reportKeyOf(environment)), scopes: ['report'] },
    ],
    ...(options.rollouts ? { rollouts: options.rollouts } : {}),
  });
}
