import { describe, expect, it } from 'vitest';
import type { PromAnswer } from '../schema/metrics-source';
import { binsByTime, minuteBuckets, promString, renderQuery, sumByTime, UnusableAnswer } from './promql';
import { binOf } from './sketch';

const matrix = (series: Array<{ metric?: Record<string, string>; values: Array<[number, string]> }>): PromAnswer => ({
  status: 'success',
  data: { resultType: 'matrix', result: series.map((s) => ({ metric: s.metric ?? {}, values: s.values })) },
});

describe('renderQuery', () => {
  it('fills the placeholders; a flag or variant cannot end the quoted label value', () => {
    const q = renderQuery('sum(increase(req{flag="{{flag}}",variant="{{ variant }}"}[{{window}}]))', {
      flag: 'a"} or vector(1) #',
      variant: 'on\\',
      windowSeconds: 60,
    });
    expect(q).toBe('sum(increase(req{flag="a\\"} or vector(1) #",variant="on\\\\"}[60s]))');
    expect(promString('x\ny')).toBe('x\\ny');
  });
});

describe('answers as counts', () => {
  it('sums series per evaluation time and rounds the extrapolated increase', () => {
    const a = matrix([
      {
        metric: { pod: 'a' },
        values: [
          [60, '10.4'],
          [120, '3'],
        ],
      },
      { metric: { pod: 'b' }, values: [[60, '1.6']] },
    ]);
    expect([...sumByTime(a)]).toEqual([
      [60, 12],
      [120, 3],
    ]);
  });

  it('never turns NaN, Inf or a negative value into a number: the answer is unusable', () => {
    for (const v of ['NaN', '+Inf', '-1', 'x']) expect(() => sumByTime(matrix([{ values: [[60, v]] }]))).toThrow(UnusableAnswer);
  });

  it('turns cumulative histogram buckets into sketch bins at each bucket bound, +Inf above the largest', () => {
    const a = matrix([
      { metric: { le: '0.1' }, values: [[60, '50']] },
      { metric: { le: '0.5' }, values: [[60, '90']] },
      { metric: { le: '+Inf' }, values: [[60, '100']] },
    ]);
    const bins = binsByTime(a, 'seconds').get(60)!;
    expect(bins).toEqual({ [binOf(100)]: 50, [binOf(500)]: 40, [binOf(500) + 1]: 10 });
    // Read as milliseconds, both bounds are under 1 ms and share bin 0.
    expect(binsByTime(a, 'milliseconds').get(60)).toEqual({ '0': 90, '1': 10 });
  });

  it('gives each minute the value evaluated at its end; errors never above requests', () => {
    const requests = new Map([[120, 100]]);
    const errors = new Map([
      [120, 7],
      [180, 5],
    ]);
    expect(minuteBuckets([60_000, 120_000], requests, errors)).toEqual([
      { minute: 60_000, count: 100, errors: 7, bins: {} },
      { minute: 120_000, count: 0, errors: 0, bins: {} },
    ]);
  });
});
