import type { RollgateConfig } from '../../src/core/schema/config';
import { environmentsOf } from '../../src/core/config/environments';

/** The fixed local client key of an environment (scope `evaluate`), documented in the README. */
export function devClientKey(environment: string): string {
  return `dev-client-${environment}`;
}

/** The fixed local report key of an environment (scope `report`, for POST /v1/metrics), documented in the README. */
export function devReportKey(environment: string): string {
  return `dev-report-${environment}`;
}

/** The local keys every environment gets: imported, so each is a no-op when already present. */
const DEV_KEYS = [
  { name: 'dev', secret: devClientKey, scopes: ['evaluate'] },
  { name: 'dev-report', secret: devReportKey, scopes: ['report'] },
] as const;

/** The local admin token, an operator on every environment. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

/**
 * Seeds every environment through the admin API, as an operator would: the config (a no-op when
 * unchanged), the dev client key and the dev report key (imported; a no-op when present). Returns
 * one line per environment.
 */
export async function seedLocal(baseUrl: string, config: RollgateConfig): Promise<string[]> {
  const lines: string[] = [];
  for (const { name } of environmentsOf(config)) {
    const headers = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    for (const dev of DEV_KEYS) {
      // Key issue in a protected environment needs the confirmation header; elsewhere it is ignored.
      const key = await fetch(`${baseUrl}/admin/v1/environments/${name}/keys`, {
        method: 'POST',
        headers: { ...headers, 'x-rollgate-confirm': name },
        body: JSON.stringify({ name: dev.name, secret: dev.secret(name), scopes: dev.scopes }),
      });
      if (!key.ok) throw new Error(`seeding the ${dev.name} key of ${name} failed: ${key.status} ${await key.text()}`);
    }
    const put = await fetch(`${baseUrl}/admin/v1/environments/${name}/flags`, {
      method: 'PUT',
      headers: { ...headers, 'x-rollgate-confirm': name, 'x-rollgate-reason': 'npm start seed' },
      body: JSON.stringify(config),
    });
    const body = (await put.json()) as { version?: number; changed?: boolean; error?: string; errors?: unknown };
    if (!put.ok) throw new Error(`seeding ${name} failed: ${put.status} ${JSON.stringify(body)}`);
    lines.push(`${name}: config version ${body.version}${body.changed ? '' : ' (unchanged)'}, client key ${devClientKey(name)}, report key ${devReportKey(name)}`);
  }
  return lines;
}
