/**
 * JSON Logic truthiness as json-logic-engine (flagd's JS evaluator) defines it:
 * empty arrays and empty plain objects are false.
 */
export function truthy(value: unknown): boolean {
  if (!value) return false;
  if (typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.length > 0;
  for (const _ in value) return true;
  return false;
}
