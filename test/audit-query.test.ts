import { reset } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../src/core/schema/config';
import { configWith, coordinatorOf } from './helpers/coordinator';

const ENV = 'staging';
const T0 = Date.UTC(2026, 10, 1, 12);
const HOUR = 3600 * 1000;

afterEach(async () => {
  await reset();
});

/** Six config writes, an hour apart, alternating between two actors; each changes the document. */
async function sixWrites() {
  const { api } = coordinatorOf(ENV);
  for (let i = 0; i < 6; i++) {
    const document: RollgateConfig = configWith((c) => {
      c.metadata = { write: i };
    });
    const out = await api.putConfig({ document, ifMatch: null, actor: i % 2 ? 'bob' : 'alice', reason: `write ${i}`, confirmed: false }, T0 + i * HOUR);
    expect(out.ok).toBe(true);
  }
  return api;
}

describe('audit queries', () => {
  it('filter by actor and by time in the coordinator, so matches beyond the first page are found', async () => {
    const api = await sixWrites();
    const bob = await api.auditPage({ limit: 2, actor: 'bob' });
    expect(bob.entries.map((e) => e.reason)).toEqual(['write 5', 'write 3']);
    const older = await api.auditPage({ limit: 2, actor: 'bob', cursor: bob.nextCursor! });
    expect(older.entries.map((e) => e.reason)).toEqual(['write 1']);
    expect(older.nextCursor).toBeNull();

    const window = await api.auditPage({ limit: 50, since: T0 + 2 * HOUR, until: T0 + 4 * HOUR });
    expect(window.entries.map((e) => e.reason)).toEqual(['write 3', 'write 2']);

    const combined = await api.auditPage({ limit: 50, actor: 'alice', since: T0 + 1 });
    expect(combined.entries.map((e) => e.reason)).toEqual(['write 4', 'write 2']);
    expect((await api.auditPage({ limit: 50, actor: 'nobody' })).entries).toEqual([]);
  });
});
