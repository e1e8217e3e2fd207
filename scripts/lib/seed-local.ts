import type { RollgateConfig } from '../../src/core/schema/config';
import { environmentsOf } from '../../src/core/config/environments';

/** The fixed local client key of an environment, documented in the README. */
export function devClientKey(environment: string): string {
  return `dev-client-${environment}`;
}

/** The local admin token, an operator on every environment. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

/**
 * Seeds every environment through the admin API, as an operator would: the config (a no-op when
 * unchanged) and the dev client key (imported; a no-op when present). Returns one line per environment.
 */
export async function seedLocal(baseUrl: string, config: RollgateConfig): Promise<string[]> {
  const lines: string[] = [];
  for (const { name } of environmentsOf(config)) {
    const headers = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const key = await fetch(`${baseUrl}/admin/v1/environments/${name}/keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'dev', secret: devClientKey(name) }),
    });
    if (!key.ok) throw new Error(`seeding the dev key of ${name} failed: ${key.status} ${await key.text()}`);
    const put = await fetch(`${baseUrl}/admin/v1/environments/${name}/flags`, {
      method: 'PUT',
      headers: { ...headers, 'x-rollgate-confirm': name, 'x-rollgate-reason': 'npm start seed' },
      body: JSON.stringify(config),
    });
    const body = (await put.json()) as { version?: number; changed?: boolean; error?: string; errors?: unknown };
    if (!put.ok) throw new Error(`seeding ${name} failed: ${put.status} ${JSON.stringify(body)}`);
    lines.push(`${name}: config version ${body.version}${body.changed ? '' : ' (unchanged)'}, client key ${devClientKey(name)}`);
  }
  return lines;
}
