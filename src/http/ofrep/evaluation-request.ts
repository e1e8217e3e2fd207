import * as z from '../../core/schema/zod';
import { RollgateError } from '../errors';
import { INVALID_CONTEXT } from '../read-json-body';

/** An OFREP evaluation request body (single and bulk). */
export const zEvaluationRequest = z.object({
  context: z.optional(z.looseObject({ targetingKey: z.optional(z.string()) })),
});
export type EvaluationRequest = z.infer<typeof zEvaluationRequest>;

/**
 * The evaluation context of a request body, checked by hand to the same rules as
 * zEvaluationRequest: this runs on every evaluation, where zod's cost shows.
 */
export function contextOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RollgateError(400, 'invalid_body', 'request body must be a JSON object: {"context": {...}}', INVALID_CONTEXT);
  }
  const context = (body as Record<string, unknown>)['context'];
  if (context === undefined) return {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new RollgateError(400, 'invalid_body', '"context" must be a JSON object', INVALID_CONTEXT);
  }
  const targetingKey = (context as Record<string, unknown>)['targetingKey'];
  if (targetingKey !== undefined && typeof targetingKey !== 'string') {
    throw new RollgateError(400, 'invalid_body', '"context.targetingKey" must be a string', INVALID_CONTEXT);
  }
  return context as Record<string, unknown>;
}
