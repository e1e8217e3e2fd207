import { describe, expect, it } from 'vitest';
import { RollgateError } from '../errors';
import { contextOf, zEvaluationRequest } from './evaluation-request';

/** The hand-written check on the hot path must accept and refuse exactly what the schema does. */
describe('contextOf agrees with zEvaluationRequest', () => {
  const bodies: unknown[] = [
    {},
    { context: {} },
    { context: { targetingKey: 'u1', email: 'a@b.c', nested: { x: [1, 2] } } },
    { context: { targetingKey: '' } },
    { context: { targetingKey: 42 } },
    { context: { targetingKey: null } },
    { context: 'x' },
    { context: null },
    { context: [] },
    { context: [1] },
    { other: 1 },
    null,
    [],
    [{ context: {} }],
    'text',
    7,
    true,
  ];

  it.each(bodies.map((b) => [JSON.stringify(b), b]))('%s', (_label, body) => {
    const schema = zEvaluationRequest.safeParse(body).success;
    let hand: boolean;
    try {
      contextOf(body);
      hand = true;
    } catch (err) {
      expect(err).toBeInstanceOf(RollgateError);
      expect((err as RollgateError).errorCode).toBe('INVALID_CONTEXT');
      hand = false;
    }
    expect(hand).toBe(schema);
  });
});
