import type { OperatorCompiler } from '../types';
import { arithmeticOperators } from './arithmetic';
import { arrayOperators } from './array';
import { comparisonOperators } from './comparison';
import { controlOperators } from './control';
import { dataOperators } from './data';
import { fractionalOperators } from './fractional';
import { semVerOperators } from './sem-ver';
import { stringOperators } from './string';
import { stringComparisonOperators } from './string-comparison';

/** Every operator of flagd's targeting schema, by name. */
export const operators: Readonly<Record<string, OperatorCompiler>> = Object.freeze({
  ...dataOperators,
  ...controlOperators,
  ...comparisonOperators,
  ...arithmeticOperators,
  ...arrayOperators,
  ...stringOperators,
  ...stringComparisonOperators,
  ...semVerOperators,
  ...fractionalOperators,
});
