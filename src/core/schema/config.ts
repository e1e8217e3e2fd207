import { zFlagdFlag, zMetadata } from './flag';
import { zJson } from './json';
import { zMetricsSource } from './metrics-source';
import { zNotification } from './notifications';
import * as z from './zod';

/** Environment names are used in KV keys, URLs and client keys: keep them plain. */
export const zEnvironmentName = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'environment names are 1-32 characters: a-z, 0-9 and -, starting with a letter'));

/**
 * Bounds of what a config may hold. validateConfig checks them where a config enters (admin API,
 * CLI, npm start), not this schema: it also reads the versions stored before the bounds existed,
 * and one such version must not make every call of its environment throw.
 */
export const CONFIG_BOUNDS = { flagKeyChars: 256, healthChecks: 20, healthCheckNameChars: 256, healthCheckUrlChars: 2048 } as const;

/** A health-check probe an environment's cron tick calls. */
export const zHealthCheck = z.object({
  name: z.string().check(z.minLength(1)),
  url: z.url(),
  expectStatus: z.optional(z.int().check(z.gte(100), z.lte(599))),
  timeoutMs: z.optional(z.int().check(z.positive(), z.lte(30000))),
});
export type HealthCheck = z.infer<typeof zHealthCheck>;

/** An environment, as a bare name or with its settings. */
export const zEnvironmentSpec = z.union([
  zEnvironmentName,
  z.strictObject({
    name: zEnvironmentName,
    protected: z.optional(z.boolean()),
    /** Every tick probes them all in parallel, so a handful is the use; CONFIG_BOUNDS.healthChecks bounds the fan-out. */
    healthChecks: z.optional(z.array(zHealthCheck)),
    /** Webhooks called after decisions (rollbacks, promotions, config changes…); see notification-rules.ts. */
    notifications: z.optional(z.array(zNotification)),
    /** Where verdicts read their numbers: the apps' reports (default) or a Prometheus server; see metrics-source-rules.ts. */
    metrics: z.optional(zMetricsSource),
  }),
]);
export type EnvironmentSpec = z.infer<typeof zEnvironmentSpec>;

/** Per-environment changes to a flag; `variants` merge key by key, the rest replace. */
export const zFlagOverlay = z.strictObject({
  state: z.optional(zFlagdFlag.shape.state),
  defaultVariant: z.optional(z.nullable(z.string())),
  targeting: zFlagdFlag.shape.targeting,
  variants: z.optional(z.record(z.string(), zJson)),
});
export type FlagOverlay = z.infer<typeof zFlagOverlay>;

/** A flag in a Rollgate config file: flagd's flag plus per-environment overlays. */
export const zConfigFlag = z.strictObject({
  ...zFlagdFlag.shape,
  environments: z.optional(z.record(z.string(), zFlagOverlay)),
});
export type ConfigFlag = z.infer<typeof zConfigFlag>;

/** A Rollgate config file: a flagd flag-definition document with Rollgate's optional extensions. */
export const zRollgateConfig = z.strictObject({
  $schema: z.optional(z.string()),
  environments: z.optional(z.array(zEnvironmentSpec).check(z.minLength(1))),
  flags: z.record(z.string().check(z.minLength(1)), zConfigFlag),
  $evaluators: z.optional(z.record(z.string(), zJson)),
  metadata: z.optional(zMetadata),
});
export type RollgateConfig = z.infer<typeof zRollgateConfig>;

/** Environments a config describes when it does not list any. */
export const DEFAULT_ENVIRONMENTS = ['development', 'staging', 'production'] as const;
