import { zFlagdFlag, zMetadata, zPublishedFlag } from './flag';
import { zJson } from './json';
import * as z from './zod';

/** A plain flagd flag-definition document. */
export const zFlagdDocument = z.object({
  $schema: z.optional(z.string()),
  flags: z.record(z.string(), zFlagdFlag),
  $evaluators: z.optional(z.record(z.string(), zJson)),
  metadata: z.optional(zMetadata),
});
export type FlagdDocument = z.infer<typeof zFlagdDocument>;

/** The flag set inside a published snapshot. */
export const zPublishedFlagSet = z.object({
  flags: z.record(z.string(), zPublishedFlag),
  $evaluators: z.optional(z.record(z.string(), zJson)),
  metadata: z.optional(zMetadata),
});
export type PublishedFlagSet = z.infer<typeof zPublishedFlagSet>;
