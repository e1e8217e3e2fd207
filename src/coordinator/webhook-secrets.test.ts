import { describe, expect, it } from 'vitest';
import { webhookSecretsFor } from './webhook-secrets';

describe('webhookSecretsFor', () => {
  const raw = JSON.stringify({ staging: ['current-secret-0123456789', 'previous-secret-012345678'], production: ['prod-secret-0123456789'] });

  it('gives the listed secrets of an environment, current first', () => {
    expect(webhookSecretsFor(raw, 'staging')).toEqual({ ok: true, secrets: ['current-secret-0123456789', 'previous-secret-012345678'] });
    expect(webhookSecretsFor(raw, 'production')).toEqual({ ok: true, secrets: ['prod-secret-0123456789'] });
  });

  it.each([
    [raw, 'development', 'WEBHOOK_SECRETS has no secret for environment "development"; not sent unsigned'],
    [raw, 'toString', 'WEBHOOK_SECRETS has no secret for environment "toString"; not sent unsigned'],
    [undefined, 'staging', 'the Worker secret WEBHOOK_SECRETS is not set; not sent unsigned'],
    ['{nope', 'staging', 'the Worker secret WEBHOOK_SECRETS is not valid JSON; not sent unsigned'],
    [
      '{"staging": ["short"]}',
      'staging',
      'the Worker secret WEBHOOK_SECRETS is invalid (/staging/0: a webhook secret has at least 16 characters); not sent unsigned',
    ],
    ['{"staging": []}', 'staging', expect.stringMatching(/^the Worker secret WEBHOOK_SECRETS is invalid/)],
    ['{"Staging!": ["0123456789abcdef"]}', 'staging', expect.stringMatching(/^the Worker secret WEBHOOK_SECRETS is invalid/)],
  ])('%j for %s: no secrets, with why', (value, environment, error) => {
    expect(webhookSecretsFor(value, environment)).toEqual({ ok: false, error });
  });
});
