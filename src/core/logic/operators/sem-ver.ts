import { compareSemVer, parseSemVer, type SemVer } from '../../semver';
import { constantValue, isConstant } from '../compile';
import type { OperatorCompiler } from '../types';
import { argList } from './evaluated-args';
import { assertRoot } from './root-scope';

type Test = (a: SemVer, b: SemVer) => boolean;

const tests: Record<string, Test> = {
  '=': (a, b) => compareSemVer(a, b) === 0,
  '!=': (a, b) => compareSemVer(a, b) !== 0,
  '<': (a, b) => compareSemVer(a, b) < 0,
  '<=': (a, b) => compareSemVer(a, b) <= 0,
  '>': (a, b) => compareSemVer(a, b) > 0,
  '>=': (a, b) => compareSemVer(a, b) >= 0,
  '^': (a, b) => a.major === b.major,
  '~': (a, b) => a.major === b.major && a.minor === b.minor,
};

function semVerOf(args: readonly unknown[], right: SemVer | null = parseSemVer(args[2])): boolean | null {
  if (args.length !== 3) return null;
  const a = parseSemVer(args[0]);
  if (!a || !right) return null;
  const operator = String(args[1]);
  return Object.hasOwn(tests, operator) ? tests[operator]!(a, right) : null;
}

/**
 * flagd's `sem_ver`: `[version, operator, version]` with =, !=, <, <=, >, >=, ^ (same major)
 * and ~ (same major and minor). Unparseable input or a bad operator yields null.
 */
const semVer: OperatorCompiler = (input) => {
  const args = argList(input);
  const raw = input.raw;
  // A constant right-hand version (the common case) is parsed once.
  if (Array.isArray(raw) && raw.length === 3) {
    const right = input.compile(raw[2], 2);
    if (isConstant(right)) {
      const parsed = parseSemVer(constantValue(right));
      return (d, st) => {
        const v = args(d, st) as unknown[];
        assertRoot(d, st, 'sem_ver');
        return semVerOf(v, parsed);
      };
    }
  }
  return (d, st) => {
    const v = args(d, st) as unknown[];
    assertRoot(d, st, 'sem_ver');
    return semVerOf(v);
  };
};

export const semVerOperators: Record<string, OperatorCompiler> = { sem_ver: semVer };
