import type { JsonValue } from '../json';
import * as z from './zod';

/** Any JSON value. */
export const zJson: z.ZodMiniType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(zJson), z.record(z.string(), zJson)]),
);
