import { vi } from 'vitest';
import type { Harness } from './harness';

/**
 * One clock for the Worker (the Harness's `h.now`, which admin calls pass to the coordinator) and
 * for the Durable Object (its `Date.now()`, used by the alarm). The DO runs in the tests' isolate,
 * so a faked `Date` is its clock too. The clock starts a day ahead of real time: alarms the
 * coordinator arms then never fire by themselves during a test, and `runDurableObjectAlarm`
 * runs them exactly when a test says so. Call `restore()` after the test.
 */
export class TestClock {
  now: number;

  constructor(private readonly h?: Harness) {
    // A whole second, a day ahead of the real clock.
    this.now = Math.ceil((Date.now() + 24 * 3600 * 1000) / 1000) * 1000;
    vi.useFakeTimers({ toFake: ['Date'], now: this.now });
    this.sync();
  }

  /** Moves both clocks forward by `ms`; returns the new time. */
  advance(ms: number): number {
    return this.set(this.now + ms);
  }

  /** Sets both clocks to `at`; returns it. */
  set(at: number): number {
    this.now = at;
    vi.setSystemTime(at);
    this.sync();
    return at;
  }

  /** Back to the real clock. */
  restore(): void {
    vi.useRealTimers();
  }

  private sync(): void {
    if (this.h) this.h.now = this.now;
  }
}
