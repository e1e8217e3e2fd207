import { describe, expect, it } from 'vitest';
import { versionOfTag } from './config-version';

describe('versionOfTag', () => {
  it.each([
    ['"3"', 3],
    ['W/"12"', 12],
    ['7', 7],
    [' "4" ', 4],
  ])('%s names version %d', (tag, version) => expect(versionOfTag(tag)).toBe(version));

  it.each(['*', '', 'W/"x"', '3.5', '"-1"', 'W/ "3"'])('%s names no version', (tag) => expect(versionOfTag(tag)).toBeNull());
});
