/**
 * The seed record: per environment, the SHA-256 of the config/flags.json content npm start last
 * wrote and the config version it became. It lives inside the Worker's local state directory
 * (wrangler dev --persist-to), beside the Durable Object data it describes: deleting the state
 * deletes the record with it, and a test that runs npm start on a temporary state directory keeps
 * its record there too. (The config version's reason would not do: it is free text anyone can
 * send, and the record must also say which file content was seeded.)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zEnvironmentName } from '../../src/core/schema/config';
import * as z from '../../src/core/schema/zod';
import type { SeedMark } from './seed-decision';

/** The file name of the record inside the state directory. */
export const SEED_RECORD_FILE = 'rollgate-seed.json';

const zSeedRecord = z.strictObject({
  environments: z.record(
    zEnvironmentName,
    z.strictObject({
      hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
      version: z.int().check(z.positive(), z.lte(Number.MAX_SAFE_INTEGER)),
      seededAt: z.string().check(z.maxLength(64)),
    }),
  ),
});

/** Where npm start keeps an environment's seed marks. */
export interface SeedRecordStore {
  get(environment: string): SeedMark | null;
  set(environment: string, mark: SeedMark): void;
}

/** SHA-256 (hex) of a file's content. */
export function sha256OfBytes(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A record that lives only as long as the process (tests that seed a fresh Worker once). */
export function memorySeedRecord(): SeedRecordStore {
  const marks = new Map<string, SeedMark>();
  return { get: (env) => marks.get(env) ?? null, set: (env, mark) => void marks.set(env, mark) };
}

/**
 * The record in `<stateDir>/rollgate-seed.json`, written through on every change. A missing file
 * is an empty record; an unreadable one too, with `problem` saying so (then every environment
 * that has a config is kept as it is, the safe side).
 */
export function fileSeedRecord(stateDir: string, now: () => Date = () => new Date()): SeedRecordStore & { path: string; problem: string | null } {
  const path = join(stateDir, SEED_RECORD_FILE);
  const marks = new Map<string, { hash: string; version: number; seededAt: string }>();
  let problem: string | null = null;
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problem = `cannot read ${path}: ${(err as Error).message}`;
  }
  if (text !== null) {
    let parsed: ReturnType<typeof zSeedRecord.safeParse> | null;
    try {
      parsed = zSeedRecord.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (parsed?.success) for (const [env, mark] of Object.entries(parsed.data.environments)) marks.set(env, mark);
    else problem = `${path} is not a seed record; ignoring it`;
  }
  const save = () => {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ environments: Object.fromEntries(marks) }, null, 2)}\n`);
    renameSync(tmp, path);
  };
  return {
    path,
    problem,
    get: (env) => {
      const m = marks.get(env);
      return m ? { hash: m.hash, version: m.version } : null;
    },
    set: (env, mark) => {
      marks.set(env, { hash: mark.hash, version: mark.version, seededAt: now().toISOString() });
      save();
    },
  };
}
