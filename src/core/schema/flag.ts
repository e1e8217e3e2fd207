import * as z from 'zod';
import { zJson } from './json';

/** Flat metadata, as flagd and OFREP allow: string, number or boolean values. */
export const zMetadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type Metadata = z.infer<typeof zMetadata>;

/** A flag as flagd defines it. */
export const zFlagdFlag = z.object({
  state: z.enum(['ENABLED', 'DISABLED']),
  variants: z.record(z.string(), zJson).refine((v) => Object.keys(v).length > 0, 'a flag needs at least one variant'),
  defaultVariant: z.string().nullish(),
  targeting: z.record(z.string(), zJson).optional(),
  metadata: zMetadata.optional(),
});
export type FlagdFlag = z.infer<typeof zFlagdFlag>;

/** An active rollout carried by a published flag: `percent` of non-targeted users get `variant`. */
export const zActiveRollout = z.object({
  id: z.string().min(1),
  variant: z.string(),
  baselineVariant: z.string().optional(),
  percent: z.number().min(0).max(100),
});
export type ActiveRollout = z.infer<typeof zActiveRollout>;

/** A flag as published in a snapshot: flagd's shape plus an optional active rollout. */
export const zPublishedFlag = zFlagdFlag.extend({ rollout: zActiveRollout.optional() });
export type PublishedFlag = z.infer<typeof zPublishedFlag>;
