import { versionOfTag } from '../../../src/core/api/config-version';
import { isProtected } from '../../../src/core/config/environments';
import type { RollgateConfig } from '../../../src/core/schema/config';
import type { ConfigResponse } from './api';
import { ApiError, type AdminClient } from './http';
import type { CliIo } from './io';
import { confirmProtected } from './prompt';

/** An environment's current config: its version (0 before the first write) and whether writes need confirmation. */
export interface CurrentConfig {
  version: number;
  document: RollgateConfig | null;
  updatedAt: string | null;
  actor: string | null;
  protected: boolean;
}

/**
 * GET /environments/{env}/flags. The version comes from the ETag; a `config_not_found` answer is
 * version 0; protection follows the stored document's `environments` (production by default),
 * with the same code the coordinator uses.
 */
export async function currentConfig(client: AdminClient, environment: string): Promise<CurrentConfig> {
  try {
    const res = await client.get<ConfigResponse>(client.envPath(environment, '/flags'), { environment });
    const version = versionOfTag(res.headers.get('etag') ?? '') ?? res.body.version;
    return {
      version,
      document: res.body.document,
      updatedAt: res.body.updatedAt,
      actor: res.body.actor,
      protected: isProtected(res.body.document, environment),
    };
  } catch (err) {
    if (err instanceof ApiError && err.body.code === 'config_not_found') {
      return { version: 0, document: null, updatedAt: null, actor: null, protected: isProtected(null, environment) };
    }
    throw err;
  }
}

/**
 * Runs a write with confirmation for a protected environment: asks first when we know it is
 * protected; if the API still answers 428, asks then and retries once with the confirmation.
 * `attempt` receives the headers to send (X-Rollgate-Confirm once confirmed).
 */
export async function protectedWrite<T>(
  io: CliIo,
  options: { environment: string; protected: boolean; yes: boolean; action: string },
  attempt: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const confirmHeaders = { 'x-rollgate-confirm': options.environment };
  if (options.protected) {
    await confirmProtected(io, options);
    return attempt(confirmHeaders);
  }
  try {
    return await attempt({});
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 428)) throw err;
    await confirmProtected(io, options);
    return attempt(confirmHeaders);
  }
}
