import { zJson } from './json';
import * as z from './zod';

/** Flat metadata, as flagd and OFREP allow: string, number or boolean values. */
export const zMetadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type Metadata = z.infer<typeof zMetadata>;

/** A flag as flagd defines it. */
export const zFlagdFlag = z.object({
  state: z.enum(['ENABLED', 'DISABLED']),
  variants: z.record(z.string(), zJson).check(z.refine((v) => Object.keys(v).length > 0, 'a flag needs at least one variant')),
  defaultVariant: z.nullish(z.string()),
  targeting: z.optional(z.record(z.string(), zJson)),
  metadata: z.optional(zMetadata),
});
export type FlagdFlag = z.infer<typeof zFlagdFlag>;

/** An active rollout carried by a published flag: `percent` of non-targeted users get `variant`. */
export const zActiveRollout = z.object({
  id: z.string().check(z.minLength(1)),
  variant: z.string(),
  baselineVariant: z.optional(z.string()),
  percent: z.number().check(z.gte(0), z.lte(100)),
});
export type ActiveRollout = z.infer<typeof zActiveRollout>;

/** A flag as published in a snapshot: flagd's shape plus an optional active rollout. */
export const zPublishedFlag = z.extend(zFlagdFlag, { rollout: z.optional(zActiveRollout) });
export type PublishedFlag = z.infer<typeof zPublishedFlag>;
