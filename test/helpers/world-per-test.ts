import { reset } from 'cloudflare:test';
import { afterEach, beforeEach } from 'vitest';

/**
 * A fresh world for every test of the file that calls this (at its top level): `make` builds it
 * before each test and hands it to `onWorld` (for a file that keeps it in its own variables);
 * `end` tears it down after the test, before storage is reset. `world()` is the current test's
 * (it throws outside a test); `replace` swaps it mid-test, handing the new one to `onWorld` too.
 */
export function worldPerTest<W>(make: () => W | Promise<W>, end: (world: W) => void, onWorld: (world: W) => void = () => {}) {
  let current: W | null = null;
  const replace = (next: W): void => {
    current = next;
    onWorld(next);
  };
  beforeEach(async () => replace(await make()));
  afterEach(async () => {
    if (current !== null) end(current);
    current = null;
    await reset();
  });
  const world = (): W => {
    if (current === null) throw new Error('worldPerTest: used outside a test');
    return current;
  };
  return { world, replace };
}
