import type { Context } from 'hono';
import { MAX_REASON_CHARS } from '../../core/schema/rollout';
import * as z from '../../core/schema/zod';
import { RollgateError } from '../errors';
import type { AdminEnv } from './admin-auth';
import { coordinator } from './coordinator-client';
import { adminBody, confirmedFor, ifMatchVersion } from './request';
import { respond } from './respond';

/** Config of one environment: read, replace, dry-run, revert. Roles are in routes.ts. */

const zRevert = z.strictObject({ version: z.int().check(z.positive()), reason: z.optional(z.string().check(z.maxLength(MAX_REASON_CHARS))) });

export async function getConfig(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const out = await coordinator(c, env).getConfig();
  return respond(c, out, 200, out.ok ? { etag: `"${out.value.version}"` } : {});
}

export async function putConfig(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const document = await adminBody(c);
  const out = await coordinator(c, env).putConfig(
    {
      document,
      ifMatch: ifMatchVersion(c.req.header('if-match')),
      actor: c.get('admin').name,
      reason: c.req.header('x-rollgate-reason') ?? null,
      confirmed: confirmedFor(c, env),
    },
    c.get('now'),
  );
  return respond(c, out, 200, out.ok ? { etag: `"${out.value.version}"` } : {});
}

export async function validateConfig(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const document = await adminBody(c);
  return c.json(await coordinator(c, env).validateConfig(document));
}

export async function revertConfig(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const parsed = zRevert.safeParse(await adminBody(c));
  if (!parsed.success) throw new RollgateError(422, 'validation_failed', 'expected {"version": <number>, "reason"?: "..."}');
  const out = await coordinator(c, env).revertConfig(
    parsed.data.version,
    {
      ifMatch: ifMatchVersion(c.req.header('if-match')),
      actor: c.get('admin').name,
      reason: parsed.data.reason ?? null,
      confirmed: confirmedFor(c, env),
    },
    c.get('now'),
  );
  return respond(c, out, 200, out.ok ? { etag: `"${out.value.version}"` } : {});
}
