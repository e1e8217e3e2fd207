/**
 * The coordinator's SQLite storage: its migrations are recorded in schema_migrations, and every
 * config version is kept.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/coordinator/migrations';
import { configWith, validConfig } from './helpers/coordinator';
import { coordinatorEachTest, type CoordinatorWorld, write } from './helpers/coordinator-kit';

const ENV = 'staging';

let clock: CoordinatorWorld['clock'];
let api: CoordinatorWorld['api'];
let stub: CoordinatorWorld['stub'];
coordinatorEachTest(ENV, (world) => ({ clock, api, stub } = world));

describe('storage', () => {
  it('records its migrations in schema_migrations', async () => {
    await api.summary();
    const rows = await runInDurableObject(stub, (_i, state) => ({
      migrations: state.storage.sql.exec<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version').toArray(),
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")
        .toArray()
        .map((r) => r.name),
    }));
    // Version 1 (the coordinator's tables) and every later migration, each recorded once.
    expect(rows.migrations[0]).toEqual({ version: 1 });
    expect(rows.migrations).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(rows.tables).toEqual(
      expect.arrayContaining([
        'audit_log',
        'client_keys',
        'config_versions',
        'meta',
        'processed_ticks',
        'rollout_transitions',
        'rollouts',
        'schema_migrations',
      ]),
    );
  });

  it('keeps the full config history', async () => {
    await api.putConfig(write(validConfig()), clock.now);
    clock.advance(1000);
    await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'))), clock.now);
    const versions = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ version: number; actor: string }>('SELECT version, actor FROM config_versions ORDER BY version').toArray(),
    );
    expect(versions).toEqual([
      { version: 1, actor: 'tester' },
      { version: 2, actor: 'tester' },
    ]);
  });
});
