import * as z from '../core/schema/zod';
import { MAX_DATE_MS } from '../core/numbers';
import { type Meta, readMetaList } from './meta';

/** A rollout whose tick fails: held (never promoted) until a tick succeeds or an operator ends it. */
export const zTickFailure = z.object({
  rollout: z.string(),
  flag: z.string(),
  /** When the failure started (ms); stays while the failure repeats. A date that exists: the API shows it as one. */
  since: z.int().check(z.gte(0), z.lte(MAX_DATE_MS)),
  message: z.string(),
});
export type TickFailure = z.infer<typeof zTickFailure>;

/** The API view of a rollout's failure. */
export interface TickError {
  since: string;
  message: string;
}

const KEY = 'tick_failures';
/** Messages are cut to this length when stored. */
export const MAX_TICK_MESSAGE = 500;

/**
 * The rollouts whose last tick failed, as one JSON value in meta (a handful at most: one per
 * active rollout). Unreadable JSON reads as no failures and an unreadable entry is skipped, so
 * this record can never stop a tick.
 */
export class TickFailures {
  constructor(private readonly meta: Meta) {}

  all(): TickFailure[] {
    return readMetaList(this.meta, KEY, zTickFailure);
  }

  get(rollout: string): TickFailure | undefined {
    return this.all().find((f) => f.rollout === rollout);
  }

  /** The failure as the admin API shows it, if any. */
  errorOf(rollout: string): TickError | undefined {
    const f = this.get(rollout);
    return f ? { since: new Date(f.since).toISOString(), message: f.message } : undefined;
  }

  /** Records a failure (call inside a transaction); keeps `since` of a failure that continues. */
  set(failure: TickFailure): void {
    const rest = this.all().filter((f) => f.rollout !== failure.rollout);
    this.meta.set(KEY, JSON.stringify([...rest, { ...failure, message: failure.message.slice(0, MAX_TICK_MESSAGE) }]));
  }

  /** Forgets the failures of the given rollouts (call inside a transaction); returns the ones removed. */
  clear(rollouts: ReadonlySet<string>): TickFailure[] {
    const all = this.all();
    const removed = all.filter((f) => rollouts.has(f.rollout));
    if (removed.length > 0) this.meta.set(KEY, JSON.stringify(all.filter((f) => !rollouts.has(f.rollout))));
    return removed;
  }
}
