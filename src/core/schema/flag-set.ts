import * as z from 'zod';
import { zFlagdFlag, zMetadata, zPublishedFlag } from './flag';
import { zJson } from './json';

/** A plain flagd flag-definition document. */
export const zFlagdDocument = z.object({
  $schema: z.string().optional(),
  flags: z.record(z.string(), zFlagdFlag),
  $evaluators: z.record(z.string(), zJson).optional(),
  metadata: zMetadata.optional(),
});
export type FlagdDocument = z.infer<typeof zFlagdDocument>;

/** The flag set inside a published snapshot. */
export const zPublishedFlagSet = z.object({
  flags: z.record(z.string(), zPublishedFlag),
  $evaluators: z.record(z.string(), zJson).optional(),
  metadata: zMetadata.optional(),
});
export type PublishedFlagSet = z.infer<typeof zPublishedFlagSet>;
