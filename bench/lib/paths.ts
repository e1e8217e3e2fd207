/** Where the benchmark finds things outside bench/: the repository root and the shared reference data. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const BENCH_DIR = join(REPO_ROOT, 'bench');

/** The shared reference directory; never copied into the repository (it is not ours to vendor). */
export const SHARED_DIR = process.env['ROLLGATE_SHARED'] ?? resolve(REPO_ROOT, '../shared');

/** The flagd testkit flag file, as raw JSON text (flagd-core takes a string). */
export function readTestkitFlags(): string {
  const file = join(SHARED_DIR, 'reference/flagd-testbed-evaluator/flags/testkit-flags.json');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the flagd testkit flags at ${file} (set ROLLGATE_SHARED): ${(err as Error).message}`, { cause: err });
  }
}
