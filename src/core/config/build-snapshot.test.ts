import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../schema/config';
import { MAX_SNAPSHOT_VERSION, MAX_TICK_FAILURE_NOTES, zSnapshot } from '../schema/snapshot';
import { buildSnapshot, type SnapshotInput } from './build-snapshot';
import { validateConfig } from './validate';

const HASH_A = 'a'.repeat(64);
const HASH_B = '0123456789abcdef'.repeat(4);

const config: RollgateConfig = {
  environments: ['development', 'staging', { name: 'production', protected: true }],
  metadata: { owner: 'shop', flagSetId: 'web' },
  $evaluators: { is_internal: { ends_with: [{ var: 'email' }, '@shop.example'] } },
  flags: {
    'new-checkout': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ $ref: 'is_internal' }, 'on'] },
      metadata: { description: 'one-page checkout' },
      environments: {
        development: { defaultVariant: 'on', targeting: {} },
        staging: {
          targeting: {
            fractional: [
              ['on', 50],
              ['off', 50],
            ],
          },
        },
      },
    },
    'banner-text': {
      state: 'ENABLED',
      variants: { none: '', sale: 'Sale!', shipping: 'Free shipping' },
      defaultVariant: 'shipping',
      environments: {
        development: { variants: { sale: '[dev] Sale!', preview: 'Preview' }, defaultVariant: 'preview' },
        production: { state: 'DISABLED' },
      },
    },
    'max-cart-items': {
      state: 'ENABLED',
      variants: { small: 50, large: 500 },
      defaultVariant: 'small',
    },
  },
};

function input(environment: string, extra: Partial<SnapshotInput> = {}): SnapshotInput {
  return {
    environment,
    version: 7,
    publishedAt: Date.UTC(2026, 2, 14, 9, 30, 0, 250),
    clientKeys: [
      { name: 'web', sha256: HASH_A },
      { name: 'ios', sha256: HASH_B },
    ],
    ...extra,
  };
}

describe('buildSnapshot', () => {
  it('merges overlay variants key by key and replaces the default variant', () => {
    const snap = buildSnapshot(config, input('development'));
    expect(snap.flags['banner-text']).toEqual({
      state: 'ENABLED',
      variants: { none: '', sale: '[dev] Sale!', shipping: 'Free shipping', preview: 'Preview' },
      defaultVariant: 'preview',
    });
  });

  it('replaces targeting as a whole, including with an empty rule', () => {
    const dev = buildSnapshot(config, input('development')).flags['new-checkout']!;
    expect(dev.targeting).toEqual({});
    expect(dev.defaultVariant).toBe('on');
    const staging = buildSnapshot(config, input('staging')).flags['new-checkout']!;
    expect(staging.targeting).toEqual({
      fractional: [
        ['on', 50],
        ['off', 50],
      ],
    });
    expect(staging.defaultVariant).toBe('off');
    expect(staging.variants).toEqual({ on: true, off: false });
  });

  it('overrides the state', () => {
    expect(buildSnapshot(config, input('production')).flags['banner-text']!.state).toBe('DISABLED');
    expect(buildSnapshot(config, input('staging')).flags['banner-text']!.state).toBe('ENABLED');
  });

  it('keeps the base flag in an environment without an overlay', () => {
    const prod = buildSnapshot(config, input('production')).flags['new-checkout']!;
    const { environments: _, ...base } = config.flags['new-checkout']!;
    expect(prod).toEqual(base);
  });

  it('drops `environments` from every published flag and from the document', () => {
    for (const env of ['development', 'staging', 'production']) {
      const snap = buildSnapshot(config, input(env));
      expect(Object.keys(snap.flags)).toEqual(['new-checkout', 'banner-text', 'max-cart-items']);
      for (const flag of Object.values(snap.flags)) expect(flag).not.toHaveProperty('environments');
      expect(snap).not.toHaveProperty('environments');
      expect(JSON.stringify(snap)).not.toContain('"environments"');
    }
  });

  it('keeps $evaluators and set metadata', () => {
    const snap = buildSnapshot(config, input('staging'));
    expect(snap.$evaluators).toEqual(config.$evaluators);
    expect(snap.metadata).toEqual({ owner: 'shop', flagSetId: 'web' });
  });

  it('does not modify the config', () => {
    const before = structuredClone(config);
    buildSnapshot(config, input('development', { rollouts: { 'new-checkout': { id: 'r1', variant: 'on', percent: 5 } } }));
    expect(config).toEqual(before);
  });

  it('attaches each rollout to its flag only', () => {
    const rollout = { id: 'ro-42', variant: 'on', baselineVariant: 'off', percent: 12.5 };
    const snap = buildSnapshot(config, input('production', { rollouts: { 'new-checkout': rollout } }));
    expect(snap.flags['new-checkout']!.rollout).toEqual(rollout);
    expect(snap.flags['banner-text']).not.toHaveProperty('rollout');
    expect(snap.flags['max-cart-items']).not.toHaveProperty('rollout');
    // The rest of the flag is the environment's resolved flag.
    expect(snap.flags['new-checkout']!.targeting).toEqual(config.flags['new-checkout']!.targeting);
  });

  it('attaches several rollouts, and ignores one for a flag that does not exist', () => {
    const snap = buildSnapshot(
      config,
      input('staging', {
        rollouts: {
          'banner-text': { id: 'a', variant: 'sale', percent: 50 },
          'max-cart-items': { id: 'b', variant: 'large', percent: 1 },
          'gone-flag': { id: 'c', variant: 'on', percent: 100 },
        },
      }),
    );
    expect(snap.flags['banner-text']!.rollout?.id).toBe('a');
    expect(snap.flags['max-cart-items']!.rollout?.id).toBe('b');
    expect(snap.flags['new-checkout']).not.toHaveProperty('rollout');
    expect(snap.flags).not.toHaveProperty('gone-flag');
  });

  it('wraps the flag set in the $rollgate envelope', () => {
    const snap = buildSnapshot(config, input('staging'));
    expect(snap.$rollgate).toEqual({
      format: 1,
      environment: 'staging',
      version: 7,
      publishedAt: '2026-03-14T09:30:00.250Z',
      clientKeys: [
        { name: 'web', sha256: HASH_A },
        { name: 'ios', sha256: HASH_B },
      ],
    });
  });

  it('formats publishedAt as an ISO 8601 UTC timestamp, also at the epoch', () => {
    const snap = buildSnapshot(config, input('production', { version: 0, publishedAt: 0, clientKeys: [] }));
    expect(snap.$rollgate.publishedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(snap.$rollgate.version).toBe(0);
    expect(snap.$rollgate.clientKeys).toEqual([]);
  });

  it('produces a document that zSnapshot accepts unchanged', () => {
    const snap = buildSnapshot(config, input('production', { rollouts: { 'new-checkout': { id: 'r', variant: 'on', percent: 5 } } }));
    const parsed = zSnapshot.safeParse(snap);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data).toEqual(snap);
  });

  it('builds a valid snapshot of every environment of the example config/flags.json', () => {
    const example: unknown = JSON.parse(readFileSync(new URL('../../../config/flags.json', import.meta.url), 'utf8'));
    const result = validateConfig(example);
    expect(result.errors).toEqual([]);
    if (!result.ok) return;
    for (const environment of ['development', 'staging', 'production']) {
      const snap = buildSnapshot(result.config, input(environment));
      const parsed = zSnapshot.safeParse(snap);
      expect(parsed.success, `${environment}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(parsed.data).toEqual(snap);
      expect(Object.keys(snap.flags)).toEqual(Object.keys(result.config.flags));
      for (const flag of Object.values(snap.flags)) expect(flag).not.toHaveProperty('environments');
    }
    const prod = buildSnapshot(result.config, input('production'));
    expect(prod.flags['new-checkout']!.defaultVariant).toBe('off');
  });

  it('carries held rollouts in the envelope only when there are some, and the edge schema accepts them', () => {
    const held = buildSnapshot(config, input('staging', { tickFailures: [{ rollout: 'ro_1', flag: 'new-checkout', since: '2026-03-14T09:00:00.000Z' }] }));
    expect(held.$rollgate.tickFailures).toEqual([{ rollout: 'ro_1', flag: 'new-checkout', since: '2026-03-14T09:00:00.000Z' }]);
    expect(zSnapshot.safeParse(JSON.parse(JSON.stringify(held))).success).toBe(true);
    expect(buildSnapshot(config, input('staging', { tickFailures: [] })).$rollgate).not.toHaveProperty('tickFailures');
  });

  it('is rejected by the edge schema above MAX_SNAPSHOT_VERSION', () => {
    expect(zSnapshot.safeParse(JSON.parse(JSON.stringify(buildSnapshot(config, input('staging', { version: MAX_SNAPSHOT_VERSION }))))).success).toBe(true);
    expect(zSnapshot.safeParse(JSON.parse(JSON.stringify(buildSnapshot(config, input('staging', { version: MAX_SNAPSHOT_VERSION + 1 }))))).success).toBe(false);
  });
});

describe('buildSnapshot: what it builds, the edge accepts', () => {
  it('lists at most MAX_TICK_FAILURE_NOTES held rollouts, so many failing ticks never make the whole snapshot invalid at the edge', () => {
    const tickFailures = Array.from({ length: MAX_TICK_FAILURE_NOTES + 5 }, (_, i) => ({
      rollout: `ro_${i}`,
      flag: `f${i}`,
      since: '2026-11-28T00:00:00.000Z',
    }));
    const snap = buildSnapshot(config, { environment: 'staging', version: 7, publishedAt: Date.UTC(2026, 10, 28), clientKeys: [], tickFailures });
    expect(snap.$rollgate.tickFailures).toHaveLength(MAX_TICK_FAILURE_NOTES);
    expect(zSnapshot.safeParse(JSON.parse(JSON.stringify(snap))).success).toBe(true);
  });
});
