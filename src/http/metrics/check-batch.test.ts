import { describe, expect, it } from 'vitest';
import { MAX_BIN, MAX_REPORT_COUNT } from '../../core/schema/metrics';
import { BatchRejected, checkBatch } from './check-batch';

const NOW = 1_700_000_000_000;
const VARIANTS = new Map<string, ReadonlySet<string>>([
  ['checkout', new Set(['on', 'off'])],
  ['constructor', new Set(['toString', 'valueOf'])],
]);
const variantsOf = (flag: string) => VARIANTS.get(flag);
const report = (r: Record<string, unknown> = {}) => ({
  flag: 'checkout',
  variant: 'on',
  timestamp: NOW - 60_000,
  count: 10,
  errors: 1,
  latencyMs: { bins: { '100': 10 } },
  ...r,
});

function problems(body: unknown) {
  try {
    checkBatch(body, variantsOf, NOW);
  } catch (err) {
    if (err instanceof BatchRejected) return err.problems;
    throw err;
  }
  return [];
}

describe('checkBatch: bounds', () => {
  it('refuses a bin above one hour, naming the report and the bin', () => {
    expect(problems({ reports: [report(), report({ latencyMs: { bins: { '20000': 1 } } })] })).toEqual([
      { index: 1, path: '/reports/1/latencyMs/bins/20000', message: expect.stringContaining(`above ${MAX_BIN}`) },
    ]);
    expect(problems({ reports: [report({ latencyMs: { bins: { [MAX_BIN]: 1 } } })] })).toEqual([]);
  });

  it('refuses counts beyond the bound, non-integer bins and bin keys that are not decimal integers', () => {
    expect(problems({ reports: [report({ count: MAX_REPORT_COUNT + 1 })] }).map((p) => p.path)).toEqual(['/reports/0/count']);
    expect(problems({ reports: [report({ count: 5, errors: 1e300 })] }).map((p) => p.path)).toContain('/reports/0/errors');
    expect(problems({ reports: [report({ latencyMs: { bins: { '5': 1e10 } } })] }).map((p) => p.path)).toEqual(['/reports/0/latencyMs/bins/5']);
    expect(problems({ reports: [report({ latencyMs: { bins: { '5': 0.5 } } })] }).map((p) => p.path)).toEqual(['/reports/0/latencyMs/bins/5']);
    expect(problems({ reports: [report({ latencyMs: { bins: { '1e2': 1 } } })] }).map((p) => p.path)).toEqual(['/reports/0/latencyMs/bins/1e2']);
  });

  it('refuses a "__proto__" key instead of dropping it', () => {
    const body = JSON.parse('{"reports": [{"flag": "checkout", "variant": "on", "count": 1, "errors": 0, "latencyMs": {"bins": {"__proto__": 5, "3": 1}}}]}');
    expect(problems(body)).toEqual([{ index: 0, path: '/reports/0/latencyMs/bins/__proto__', message: expect.any(String) }]);
  });
});

describe('checkBatch: nesting', () => {
  it('refuses a body nested deeper than a report can be, at any depth, by its pointer', () => {
    // 200,000 levels: each walk of the body must cost one step per value, not one per level of
    // every value (a path copied per level made this ~2·10^10 steps).
    const deep = JSON.parse(`{"reports": [${'['.repeat(200_000)}${']'.repeat(200_000)}]}`) as unknown;
    expect(problems(deep)).toEqual([{ index: 0, path: '/reports/0/0/0/0/0/0/0/0', message: 'nested deeper than 8 levels' }]);
    const proto = JSON.parse(`{"reports": [${'{"a":'.repeat(5)}1${'}'.repeat(5)}], "__proto__": 1}`) as unknown;
    expect(problems(proto).map((p) => p.path)).toEqual(['/__proto__']);
  });
});

describe('checkBatch: flags and variants', () => {
  it('refuses a variant the flag does not have here, and an unknown flag', () => {
    expect(problems({ reports: [report({ variant: 'maybe' }), report({ flag: 'nope' })] })).toEqual([
      { index: 0, path: '/reports/0/variant', message: 'flag "checkout" has no variant "maybe" here' },
      { index: 1, path: '/reports/1/flag', message: 'unknown flag "nope"' },
    ]);
  });

  it('takes prototype names as the real names they are', () => {
    const byFlag = checkBatch({ reports: [report({ flag: 'constructor', variant: 'toString' })] }, variantsOf, NOW);
    expect([...byFlag.keys()]).toEqual(['constructor']);
    expect(byFlag.get('constructor')![0]).toMatchObject({ variant: 'toString', count: 10 });
    expect(
      problems({ reports: [report({ flag: 'toString', variant: 'on' }), report({ flag: 'constructor', variant: 'constructor' })] }).map((p) => p.path),
    ).toEqual(['/reports/0/flag', '/reports/1/variant']);
  });
});
