import { describe, expect, it } from 'vitest';
import { UsageError } from './errors';
import { describeStages, parseDuration, parseHealth, parseStages } from './stages';

describe('parseStages', () => {
  it('parses percent:seconds pairs', () => {
    expect(parseStages('5:0,25:3600,100:7200')).toEqual([
      { percent: 5, afterSeconds: 0 },
      { percent: 25, afterSeconds: 3600 },
      { percent: 100, afterSeconds: 7200 },
    ]);
  });

  it('accepts durations with units, spaces and a % sign', () => {
    expect(parseStages(' 5%:0, 50:30m ,100:1h30m')).toEqual([
      { percent: 5, afterSeconds: 0 },
      { percent: 50, afterSeconds: 1800 },
      { percent: 100, afterSeconds: 5400 },
    ]);
    expect(parseStages('100:0')).toEqual([{ percent: 100, afterSeconds: 0 }]);
  });

  it.each([
    ['', /empty/],
    ['5-0,100:10', /stage 1 \("5-0"\) is not percent:time/],
    ['5:0,abc:10', /stage 2 \("abc:10"\) is not percent:time/],
    ['5:0,100:soon', /stage 2 .* the time must be seconds/],
    ['0:0,100:10', /percent must be more than 0/],
    ['5:0,150:10', /at most 100/],
    ['5:10,100:20', /stage 1 \("5:10"\): the first stage must start at once/],
    ['5:0,5:10,100:20', /stage 2 \("5:10"\): percent must be greater/],
    ['5:0,50:100,100:20', /stage 3 \("100:20"\): time must not be earlier/],
    ['5:0,50:100', /stage 2 \("50:100"\): the last stage must reach 100/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseStages(spec)).toThrow(UsageError);
    expect(() => parseStages(spec)).toThrow(message);
  });

  it('describes a schedule', () => {
    expect(describeStages(parseStages('5:0,25:1h,100:1d'))).toBe('5% now, 25% at +1h, 100% at +1d');
  });
});

describe('parseDuration', () => {
  it.each([
    ['600', 600],
    ['90s', 90],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86400],
    ['1h30m', 5400],
  ])('%s → %d', (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  it('rejects others', () => {
    expect(parseDuration('1.5h')).toBeNull();
    expect(parseDuration('-5')).toBeNull();
    expect(parseDuration('soon')).toBeNull();
  });
});

describe('parseHealth', () => {
  it('parses overrides of known thresholds', () => {
    expect(parseHealth('minSamples=20,maxErrorRate=0.02')).toEqual({ minSamples: 20, maxErrorRate: 0.02 });
  });
  it('rejects unknown keys and bad values', () => {
    expect(() => parseHealth('minSample=20')).toThrow(/unknown key "minSample"/);
    expect(() => parseHealth('minSamples=lots')).toThrow(/must be a number/);
    expect(() => parseHealth('maxErrorRate=2')).toThrow(/maxErrorRate/);
    expect(() => parseHealth('alpha=0.5')).toThrow(/alpha/);
    expect(() => parseHealth('onEnvironmentWide=ignore')).toThrow(/onEnvironmentWide/);
  });
  it('takes the false-rollback budget as a number and onEnvironmentWide as a word', () => {
    expect(parseHealth('alpha=0.001,onEnvironmentWide=rollback')).toEqual({ alpha: 0.001, onEnvironmentWide: 'rollback' });
  });
});
