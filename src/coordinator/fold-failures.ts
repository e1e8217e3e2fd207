import * as z from '../core/schema/zod';
import { MAX_DATE_MS } from '../core/numbers';
import { type Meta, readMetaList } from './meta';

/** A completed rollout whose variant could not be made the flag's default (foldCompletion refused). */
export const zFoldFailure = z.object({
  rollout: z.string(),
  at: z.int().check(z.gte(0), z.lte(MAX_DATE_MS)),
  message: z.string(),
});
export type FoldFailure = z.infer<typeof zFoldFailure>;

/** The API view of a fold failure. */
export interface FoldError {
  at: string;
  message: string;
}

const KEY = 'fold_failures';
/** The newest failures kept: they are rare (the config changed under a rollout), and each is also in the audit log. */
const MAX_KEPT = 50;
const MAX_MESSAGE = 500;

/** Fold failures as one JSON value in meta; unreadable JSON reads as none, so this record never stops a tick. */
export class FoldFailures {
  constructor(private readonly meta: Meta) {}

  all(): FoldFailure[] {
    return readMetaList(this.meta, KEY, zFoldFailure);
  }

  /** The failure as the admin API shows it, if any. */
  errorOf(rollout: string): FoldError | undefined {
    const f = this.all().find((x) => x.rollout === rollout);
    return f ? { at: new Date(f.at).toISOString(), message: f.message } : undefined;
  }

  /** Records a failure (call inside a transaction). */
  set(failure: FoldFailure): void {
    const rest = this.all().filter((f) => f.rollout !== failure.rollout);
    this.meta.set(KEY, JSON.stringify([...rest, { ...failure, message: failure.message.slice(0, MAX_MESSAGE) }].slice(-MAX_KEPT)));
  }
}
