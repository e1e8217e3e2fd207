import * as z from 'zod';
import type { JsonValue } from '../json';

/** Any JSON value. */
export const zJson: z.ZodType<JsonValue> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(zJson), z.record(z.string(), zJson)]));
