import { firstIssue } from '../core/config/issues';
import { zEnvironmentName } from '../core/schema/config';
import * as z from '../core/schema/zod';

/** WEBHOOK_SECRETS: `{ "<env>": ["<current>", "<previous>"] }`; every listed secret signs, so one can be rotated. */
export const zWebhookSecretsVar = z.record(
  zEnvironmentName,
  z.array(z.string().check(z.minLength(16, 'a webhook secret has at least 16 characters'), z.maxLength(256))).check(z.minLength(1), z.maxLength(3)),
);

/** The secrets that sign an environment's deliveries, or why there are none (then nothing is sent unsigned). */
export type WebhookSecrets = { ok: true; secrets: string[] } | { ok: false; error: string };

let memo: { raw: unknown; parsed: z.infer<typeof zWebhookSecretsVar> | string } | undefined;

/** The secrets of `environment` from the raw Worker secret, parsed once per distinct value. */
export function webhookSecretsFor(raw: unknown, environment: string): WebhookSecrets {
  const current = memo !== undefined && memo.raw === raw ? memo : { raw, parsed: parse(raw) };
  memo = current;
  const { parsed } = current;
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  const secrets = Object.hasOwn(parsed, environment) ? parsed[environment] : undefined;
  if (!secrets) return { ok: false, error: `WEBHOOK_SECRETS has no secret for environment "${environment}"; not sent unsigned` };
  return { ok: true, secrets };
}

function parse(raw: unknown): z.infer<typeof zWebhookSecretsVar> | string {
  if (raw === undefined || raw === null || raw === '') return 'the Worker secret WEBHOOK_SECRETS is not set; not sent unsigned';
  let json: unknown = raw;
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw);
    } catch {
      return 'the Worker secret WEBHOOK_SECRETS is not valid JSON; not sent unsigned';
    }
  }
  const parsed = zWebhookSecretsVar.safeParse(json);
  if (!parsed.success) return `the Worker secret WEBHOOK_SECRETS is invalid (${firstIssue(parsed.error)}); not sent unsigned`;
  // A null-prototype copy: environment names come from outside.
  return Object.assign(Object.create(null) as z.infer<typeof zWebhookSecretsVar>, parsed.data);
}
