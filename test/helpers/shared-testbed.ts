import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * flagd's testbed, read from the shared reference folder beside the repository
 * (`ROLLGATE_SHARED` overrides where). Someone who cloned the repository elsewhere has no such
 * folder: the suites that need it are skipped with one line saying what is missing. Under
 * CI=true a missing testbed fails instead, so CI can never pass without running them.
 */
export const SHARED = process.env['ROLLGATE_SHARED'] ?? resolve(__dirname, '../../../shared');
export const TESTBED = join(SHARED, 'reference/flagd-testbed-evaluator');

const reported = new Set<string>();

/** True when `path` exists; otherwise says so once (or throws under CI=true) and returns false. */
export function testbedAvailable(path: string, suite: string): boolean {
  if (existsSync(path)) return true;
  const line = `${suite}: ${path} is missing (the flagd testbed from the shared reference folder; set ROLLGATE_SHARED to its location)`;
  if (process.env['CI'] === 'true') throw new Error(`${line}; CI must run this suite`);
  if (!reported.has(line)) console.warn(`skipped — ${line}`);
  reported.add(line);
  return false;
}
