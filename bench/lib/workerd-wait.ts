/** Waits on a starting Rollgate: liveness, snapshots published to KV, snapshots served by the Worker. */
import { DEV_ADMIN_TOKEN } from '../../scripts/lib/seed-local';

/** Polls `url` until it answers 200 (GET /health is 200 once every environment serves its KV snapshot). */
export async function waitFor200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      last = `${r.status} ${await r.text()}`;
      if (r.status === 200) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms; last answer: ${last}`);
}

interface Summary {
  environment: string;
  snapshotVersion: number;
  publishedVersion: number;
}

/** Waits until every environment's committed snapshot is in KV; answers the versions. */
export async function waitForPublished(url: string, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(`${url}/admin/v1/environments`, { headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}` } });
    if (r.status !== 200) throw new Error(`GET /admin/v1/environments answered ${r.status}: ${await r.text()}`);
    const { environments } = await r.json<{ environments: Summary[] }>();
    if (environments.every((e) => e.publishedVersion === e.snapshotVersion)) {
      return Object.fromEntries(environments.map((e) => [e.environment, e.publishedVersion]));
    }
    if (Date.now() > deadline) throw new Error(`snapshots not published within ${timeoutMs} ms: ${JSON.stringify(environments)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Waits until GET /health is 200 with every environment served at (at least) the given version. */
export async function waitForServed(url: string, versions: Record<string, number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const r = await fetch(`${url}/health`);
    const text = await r.text();
    last = `${r.status} ${text}`;
    if (r.status === 200) {
      const body = JSON.parse(text) as { environments: Record<string, { version: number | null }> };
      if (Object.entries(versions).every(([env, v]) => (body.environments[env]?.version ?? -1) >= v)) return;
    }
    if (Date.now() > deadline) throw new Error(`the Worker did not serve ${JSON.stringify(versions)} within ${timeoutMs} ms; last /health: ${last}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
