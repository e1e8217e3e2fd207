import { compareSemVer, parseSemVer, type SemVer } from '../../semver';
import { constantValue, isConstant } from '../compile';
import type { Compiled, OperatorCompiler } from '../types';

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

/**
 * flagd's `sem_ver`: `[version, operator, version]` with =, !=, <, <=, >, >=, ^ (same major)
 * and ~ (same major and minor). Unparseable input or a bad operator yields null.
 */
const semVer: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw) || input.raw.length !== 3) return () => null;
  const [left, op, right] = input.compileArgs() as [Compiled, Compiled, Compiled];
  if (isConstant(op) && isConstant(right)) {
    const test = tests[String(constantValue(op))];
    const b = parseSemVer(constantValue(right));
    if (!test || !b) return () => null;
    return (d, st) => {
      const a = parseSemVer(left(d, st));
      return a ? test(a, b) : null;
    };
  }
  return (d, st) => {
    const a = parseSemVer(left(d, st));
    const operator = String(op(d, st));
    const b = parseSemVer(right(d, st));
    if (!a || !b || !Object.hasOwn(tests, operator)) return null;
    return tests[operator]!(a, b);
  };
};

export const semVerOperators: Record<string, OperatorCompiler> = { sem_ver: semVer };
