import { describe, expect, it } from 'vitest';
import { decideSeed, describeSkip, type SeedInputs } from './seed-decision';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function inputs(over: Partial<SeedInputs>): SeedInputs {
  return { liveVersion: 3, liveMatchesFile: false, lastSeed: { hash: A, version: 3 }, fileHash: B, protected: false, ...over };
}

describe('decideSeed', () => {
  it('seeds an environment with no config yet, protected or not, with If-Match 0', () => {
    for (const prot of [false, true]) {
      expect(decideSeed(inputs({ liveVersion: null, lastSeed: null, protected: prot }))).toEqual({ action: 'seed', ifMatch: 0 });
      // A stale record (state wiped, record kept) does not matter: the environment is empty.
      expect(decideSeed(inputs({ liveVersion: null, protected: prot }))).toEqual({ action: 'seed', ifMatch: 0 });
    }
  });

  it('re-seeds an unprotected environment when the file changed and the live version is the seeded one', () => {
    expect(decideSeed(inputs({}))).toEqual({ action: 'seed', ifMatch: 3 });
  });

  it('skips a protected environment when the file changed since the last seed', () => {
    expect(decideSeed(inputs({ protected: true }))).toEqual({ action: 'skip', reason: 'protected', version: 3 });
  });

  it('never overwrites a config changed through the API since the seed, protected or not, file changed or not', () => {
    for (const prot of [false, true]) {
      for (const fileHash of [A, B]) {
        expect(decideSeed(inputs({ liveVersion: 4, protected: prot, fileHash }))).toEqual({ action: 'skip', reason: 'changed-through-api', version: 4 });
      }
    }
    // A revert through the API to an older version is a change too.
    expect(decideSeed(inputs({ liveVersion: 2 }))).toEqual({ action: 'skip', reason: 'changed-through-api', version: 2 });
  });

  it('keeps a config no seed record accounts for', () => {
    for (const prot of [false, true])
      expect(decideSeed(inputs({ lastSeed: null, protected: prot }))).toEqual({ action: 'skip', reason: 'not-seeded', version: 3 });
  });

  it('an unchanged file over the seeded version is up to date, nothing to record', () => {
    expect(decideSeed(inputs({ fileHash: A, liveMatchesFile: true }))).toEqual({ action: 'up-to-date', version: 3, record: false });
    expect(decideSeed(inputs({ fileHash: A, protected: true }))).toEqual({ action: 'up-to-date', version: 3, record: false });
  });

  it('a live config equal to the file is up to date and recorded, however it got there', () => {
    // Pushed through the API, identical to the file: adopt it, so later file changes seed again.
    expect(decideSeed(inputs({ liveVersion: 5, liveMatchesFile: true }))).toEqual({ action: 'up-to-date', version: 5, record: true });
    expect(decideSeed(inputs({ lastSeed: null, liveMatchesFile: true, protected: true }))).toEqual({ action: 'up-to-date', version: 3, record: true });
    // Only whitespace changed in the file: same document, new hash to remember.
    expect(decideSeed(inputs({ liveMatchesFile: true }))).toEqual({ action: 'up-to-date', version: 3, record: true });
  });
});

describe('describeSkip', () => {
  const push = 'npx rollgate push config/flags.json --env production';

  it('says what was kept, why, and how to push', () => {
    const line = describeSkip('production', { reason: 'protected', version: 3 }, { hash: A, version: 3 }, 'config/flags.json', push);
    expect(line).toBe(
      `kept config version 3; config/flags.json changed since the last seed, but "production" is protected, so npm start does not write it. To apply it: ${push}`,
    );
  });

  it('names the seeded version when the API changed it since', () => {
    const line = describeSkip(
      'staging',
      { reason: 'changed-through-api', version: 5 },
      { hash: A, version: 3 },
      'config/flags.json',
      'npx rollgate push config/flags.json --env staging',
    );
    expect(line).toContain('kept config version 5; it was changed through the admin API after npm start seeded version 3');
    expect(line).toContain('To replace it with config/flags.json: npx rollgate push config/flags.json --env staging');
  });

  it('says when no seed record accounts for the config', () => {
    expect(describeSkip('staging', { reason: 'not-seeded', version: 2 }, null, 'config/flags.json', 'x')).toContain(
      'npm start did not write it (no seed record for it)',
    );
  });
});
