import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../coordinator/migrations';
import { SHARD_MIGRATIONS } from '../metrics/shard-migrations';

// docs/storage-schema.md is where an operator or a contributor learns what each Durable Object
// stores: every table a migration creates must be described there, by name.
const DOC = readFileSync(resolve(__dirname, '../../docs/storage-schema.md'), 'utf8');

function tablesOf(migrations: readonly { sql: string }[]): string[] {
  return migrations.flatMap((m) => [...m.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((match) => match[1]!));
}

describe('docs/storage-schema.md', () => {
  it.each([
    ['RolloutCoordinator', MIGRATIONS],
    ['MetricsShard', SHARD_MIGRATIONS],
  ] as const)('describes every table the %s migrations create', (_name, migrations) => {
    const tables = tablesOf(migrations);
    expect(tables.length).toBeGreaterThan(1);
    expect(tables.filter((t) => !DOC.includes(`| \`${t}\` |`))).toEqual([]);
  });
});
