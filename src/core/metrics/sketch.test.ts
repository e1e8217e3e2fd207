import { describe, expect, it } from 'vitest';
import { zLatencySketch, type LatencySketch } from '../schema/metrics';
import { mulberry32 as prng } from '../../../test/helpers/seeded-random';
import {
  GAMMA,
  RELATIVE_ACCURACY,
  binOf,
  binUpperEdge,
  binValue,
  mergeInto,
  mergeSketches,
  quantile,
  quantileRank,
  sketchCount,
  sketchFromSamples,
  toSketch,
} from './sketch';

/** Standard normal by Box–Muller. */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const DISTRIBUTIONS: Record<string, (rand: () => number) => number> = {
  uniform: (r) => r() * 2000,
  'log-normal': (r) => Math.exp(Math.log(120) + 0.8 * normal(r)),
  bimodal: (r) => (r() < 0.9 ? Math.max(0, 40 + 5 * normal(r)) : Math.max(0, 900 + 100 * normal(r))),
  pareto: (r) => 10 / (1 - r()) ** (1 / 1.5),
  'sub-millisecond': (r) => r() * 3,
};

function draw(name: string, n: number, seed: number): number[] {
  const rand = prng(seed);
  const gen = DISTRIBUTIONS[name]!;
  return Array.from({ length: n }, () => Math.min(3_600_000, gen(rand)));
}

/** The exact nearest-rank sample quantile the sketch estimates. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[quantileRank(q, sorted.length) - 1]!;
}

const bits = new BigInt64Array(1);
const float = new Float64Array(bits.buffer);
/** The next double above / below a positive double. */
function nextUp(x: number): number {
  float[0] = x;
  bits[0]! += 1n;
  return float[0];
}
function nextDown(x: number): number {
  float[0] = x;
  bits[0]! -= 1n;
  return float[0];
}

describe('sketch constants', () => {
  it('γ = 1.02/0.98 gives α = 2 %', () => {
    expect(GAMMA).toBeCloseTo(1.0408163265306123, 15);
    expect(RELATIVE_ACCURACY).toBeCloseTo(0.02, 15);
  });
});

describe('binOf', () => {
  it('puts values ≤ 1 ms in bin 0 and (1, γ] in bin 1', () => {
    expect(binOf(0)).toBe(0);
    expect(binOf(0.5)).toBe(0);
    expect(binOf(1)).toBe(0);
    expect(binOf(nextUp(1))).toBe(1);
    expect(binOf(GAMMA)).toBe(1);
    expect(binOf(nextUp(GAMMA))).toBe(2);
  });

  it('puts every exact edge γ^k in bin k and the next double in bin k+1', () => {
    let naiveMisses = 0;
    for (let k = 1; k <= 600; k++) {
      const edge = binUpperEdge(k);
      expect(binOf(edge)).toBe(k);
      expect(binOf(nextDown(edge))).toBe(k);
      expect(binOf(nextUp(edge))).toBe(k + 1);
      if (Math.ceil(Math.log(edge) / Math.log(GAMMA)) !== k) naiveMisses++;
    }
    // The reason for the correction step: the plain logarithm gets some edges wrong.
    expect(naiveMisses).toBeGreaterThan(0);
  });

  it('satisfies the definition (γ^(i−1), γ^i] for values across the whole range', () => {
    const rand = prng(7);
    for (let k = 0; k < 20_000; k++) {
      const v = 10 ** (rand() * 9.6 - 3); // 0.001 ms to ~4e6 ms, log-uniform
      const i = binOf(v);
      if (v <= 1) expect(i).toBe(0);
      else {
        expect(GAMMA ** (i - 1)).toBeLessThan(v);
        expect(v).toBeLessThanOrEqual(GAMMA ** i);
      }
    }
  });

  it('rejects negative and non-finite values', () => {
    expect(() => binOf(-1)).toThrow(RangeError);
    expect(() => binOf(Number.NaN)).toThrow(RangeError);
    expect(() => binOf(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('sketchFromSamples', () => {
  it('counts samples per bin with decimal-string keys the schema accepts', () => {
    const s = sketchFromSamples([0, 1, 1.01, GAMMA, 100, 100, 3_600_000]);
    expect(s.bins['0']).toBe(2);
    expect(s.bins['1']).toBe(2); // 1.01 and γ
    expect(s.bins[String(binOf(100))]).toBe(2);
    expect(sketchCount(s)).toBe(7);
    expect(zLatencySketch.parse(s)).toEqual(s);
  });

  it('equals the merge of one-sample sketches', () => {
    const samples = draw('log-normal', 2000, 11);
    const folded = samples.map((v) => sketchFromSamples([v])).reduce(mergeSketches, { bins: {} });
    expect(folded).toEqual(sketchFromSamples(samples));
  });

  it('is empty for no samples', () => {
    expect(sketchFromSamples([])).toEqual({ bins: {} });
  });
});

describe('merge', () => {
  const a = sketchFromSamples(draw('uniform', 3000, 1));
  const b = sketchFromSamples(draw('bimodal', 2000, 2));
  const c = sketchFromSamples(draw('pareto', 1000, 3));

  it('is exact: merging sketches equals sketching the union', () => {
    const union = [...draw('uniform', 3000, 1), ...draw('bimodal', 2000, 2), ...draw('pareto', 1000, 3)];
    expect(mergeSketches(mergeSketches(a, b), c)).toEqual(sketchFromSamples(union));
    expect(sketchCount(mergeSketches(a, b))).toBe(5000);
  });

  it('is associative and commutative', () => {
    expect(mergeSketches(mergeSketches(a, b), c)).toEqual(mergeSketches(a, mergeSketches(b, c)));
    expect(mergeSketches(a, b)).toEqual(mergeSketches(b, a));
  });

  it('leaves its inputs alone; mergeInto changes only the target', () => {
    const before = structuredClone(a);
    mergeSketches(a, b);
    expect(a).toEqual(before);
    const target = { '3': 1 };
    const source = { '3': 2, '5': 1, '9': 0 };
    expect(mergeInto(target, source)).toBe(target);
    expect(target).toEqual({ '3': 3, '5': 1 });
    expect(source).toEqual({ '3': 2, '5': 1, '9': 0 });
  });
});

describe('quantileRank', () => {
  it('is nearest rank ⌈q·n⌉, at least 1, immune to binary noise in q·n', () => {
    expect(quantileRank(0.95, 100)).toBe(95);
    expect(quantileRank(0.99, 100)).toBe(99);
    expect(quantileRank(0.95, 60)).toBe(57);
    expect(quantileRank(0.95, 20)).toBe(19);
    expect(quantileRank(0.95, 10)).toBe(10);
    expect(quantileRank(0.99, 101)).toBe(100);
    expect(quantileRank(0, 5)).toBe(1);
    expect(quantileRank(1, 5)).toBe(5);
    expect(quantileRank(0.5, 1)).toBe(1);
    expect(quantileRank(0.07, 100)).toBe(7); // 0.07 × 100 is 7.000000000000001 in binary
    for (let n = 1; n <= 5000; n++) {
      for (const q of [0.07, 0.5, 0.95, 0.99]) {
        const exact = Math.round(q * 100) * n; // q·n·100, an exact integer
        expect(quantileRank(q, n)).toBe(Math.max(1, Math.ceil(exact / 100)));
      }
    }
  });
});

describe('quantile', () => {
  it('is null for an empty sketch and rejects q outside [0, 1]', () => {
    expect(quantile({ bins: {} }, 0.95)).toBeNull();
    expect(quantile({ bins: { '4': 0 } }, 0.95)).toBeNull();
    expect(() => quantile({ bins: { '4': 1 } }, 1.5)).toThrow(RangeError);
    expect(() => quantile({ bins: { '4': 1 } }, Number.NaN)).toThrow(RangeError);
  });

  it('reads bin i as 2γ^i/(γ+1) and bin 0 as 1 ms', () => {
    expect(quantile({ bins: { '100': 1 } }, 0.5)).toBeCloseTo((2 * GAMMA ** 100) / (GAMMA + 1), 9);
    expect(binValue(0)).toBe(1);
    expect(quantile(sketchFromSamples([0.2, 0.3]), 0.99)).toBe(1);
  });

  it('orders bins by number, not by string ("10" after "9")', () => {
    const s: LatencySketch = { bins: { '10': 1, '9': 1, '100': 1 } };
    expect(quantile(s, 0)).toBe(binValue(9));
    expect(quantile(s, 0.5)).toBe(binValue(10));
    expect(quantile(s, 1)).toBe(binValue(100));
  });

  it('picks the bin of the ⌈q·n⌉-th value', () => {
    const samples = Array.from({ length: 100 }, (_, k) => k + 1); // 1..100 ms
    expect(quantile(sketchFromSamples(samples), 0.95)).toBe(binValue(binOf(95)));
    expect(quantile(sketchFromSamples(samples), 0.99)).toBe(binValue(binOf(99)));
  });

  it('stays within α of the exact sample quantile, for every distribution and size', () => {
    const worst = { p95: 0, p99: 0 };
    for (const name of Object.keys(DISTRIBUTIONS)) {
      for (const [k, n] of [10, 100, 1000, 10_000, 100_000].entries()) {
        const samples = draw(name, n, 1000 + k);
        const sketch = sketchFromSamples(samples);
        const sorted = [...samples].sort((x, y) => x - y);
        for (const q of [0, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
          const exact = exactQuantile(sorted, q);
          const estimate = quantile(sketch, q)!;
          if (exact <= 1) {
            expect(estimate, `${name} n=${n} q=${q}`).toBe(1);
            continue;
          }
          const rel = Math.abs(estimate - exact) / exact;
          expect(rel, `${name} n=${n} q=${q}: ${estimate} vs ${exact}`).toBeLessThanOrEqual(RELATIVE_ACCURACY * (1 + 1e-12));
          if (q === 0.95) worst.p95 = Math.max(worst.p95, rel);
          if (q === 0.99) worst.p99 = Math.max(worst.p99, rel);
        }
      }
    }
    console.log(`worst relative error: P95 ${worst.p95.toFixed(5)}, P99 ${worst.p99.toFixed(5)} (α = ${RELATIVE_ACCURACY.toFixed(5)})`);
    // The bound is not vacuous: over this many quantiles some land near a bin edge.
    expect(Math.max(worst.p95, worst.p99)).toBeGreaterThan(RELATIVE_ACCURACY / 2);
  });

  it('reaches α at the edges and no further', () => {
    // The worst cases: a value at an upper edge γ^i, and a value just above γ^(i−1).
    const at = binUpperEdge(150);
    const justAbove = nextUp(binUpperEdge(149));
    for (const v of [at, justAbove]) {
      const rel = Math.abs(quantile(sketchFromSamples([v]), 0.5)! - v) / v;
      expect(rel).toBeCloseTo(RELATIVE_ACCURACY, 9);
      expect(rel).toBeLessThanOrEqual(RELATIVE_ACCURACY * (1 + 1e-12));
    }
  });
});

describe('toSketch', () => {
  it('gives the same sketch for raw samples and for their sketch', () => {
    const samples = draw('bimodal', 500, 5);
    expect(toSketch(samples)).toEqual(toSketch(sketchFromSamples(samples)));
    expect(toSketch(samples)).toEqual(sketchFromSamples(samples));
  });

  it('copies a sketch without its empty bins', () => {
    const input: LatencySketch = { bins: { '0': 0, '12': 3 } };
    const out = toSketch(input);
    expect(out).toEqual({ bins: { '12': 3 } });
    out.bins['12'] = 99;
    expect(input.bins['12']).toBe(3);
  });

  it('turns no samples into an empty sketch', () => {
    expect(toSketch([])).toEqual({ bins: {} });
    expect(toSketch({ bins: {} })).toEqual({ bins: {} });
  });
});
