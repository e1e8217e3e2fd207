/**
 * Rollgate's production bundle served by workerd through Miniflare, the way the `http`,
 * `coordinator` and `metrics` benchmarks need it: no `wrangler dev` (no inspector, no bundler
 * watching, no proxy worker in front), the bindings and vars of wrangler.toml plus the local
 * secrets of .dev.vars.example, KV and Durable Objects persisted in a temp dir, and the Worker
 * reached on its own direct socket on 127.0.0.1 (Miniflare's entry worker is not in the path).
 * Environments are seeded through the admin API exactly as `npm start` does (scripts/lib/seed-local.ts).
 * The rate-limit bindings of wrangler.toml are left out unless `rateLimitsRaisedTo` is given (http):
 * then the Worker has every one of them, limit raised, and `unlimitedTwin` adds the same bundle
 * without them, so the limiter's cost shows as the difference of two cases (see StartOptions).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';
import { validateConfig } from '../../src/core/config/validate';
import type { RollgateConfig } from '../../src/core/schema/config';
import { DEV_ADMIN_TOKEN, devClientKey, devReportKey, seedLocal } from '../../scripts/lib/seed-local';
import { REPO_ROOT } from './paths';
import { waitFor200, waitForPublished, waitForServed } from './workerd-wait';
import { COUNTING_KV_SOURCE, PROBE_SOURCE } from './workerd-aux';
import { type BuiltWorker, buildWorker } from './workerd-build';

export { DEV_ADMIN_TOKEN, devClientKey, devReportKey };
export { waitFor200, waitForPublished, waitForServed };

/** KV reads and writes Rollgate made through its FLAGS binding (counted by the bench-kv worker). */
export interface KvCounts {
  get: number;
  getWithMetadata: number;
  put: number;
  delete: number;
  list: number;
}

export interface RollgateServer {
  /** Rollgate's direct socket, e.g. http://127.0.0.1:41313 (no trailing slash). */
  url: string;
  /** The direct socket of the same bundle without rate-limit bindings; null without `unlimitedTwin`. */
  unlimitedUrl: string | null;
  mf: Miniflare;
  built: BuiltWorker;
  /** The FLAGS namespace as seen from Node (reads through Miniflare's proxy, not counted). */
  kv(): Promise<{ get(key: string, type: 'text'): Promise<string | null> }>;
  /** Reads a FLAGS value through the bench-probe worker (not counted; ~1 loopback round trip). */
  readKv(key: string): Promise<string | null>;
  /** Counters of Rollgate's own KV calls; null when started without `countKv`. */
  kvCounts(): Promise<KvCounts | null>;
  /** POSTs JSON to the bench-probe worker (see workerd-aux.ts). */
  probe<T>(path: string, body: unknown): Promise<T>;
  /** Restarts workerd on the same state (fresh isolates, KV and Durable Objects kept); answers Rollgate's new URL. */
  restart(): Promise<string>;
  /** The workerd process id (for CPU accounting). */
  workerdPid: number | null;
  /** The config seeded into every environment. */
  config: RollgateConfig;
  /** Seconds between KV re-checks of an environment (SNAPSHOT_REFRESH_MS). */
  refreshMs: number;
  /** Environments the Worker serves. */
  environments: string[];
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Route FLAGS through the counting bench-kv entrypoint (http). Default false: the plain KV binding. */
  countKv?: boolean;
  /** Reuse an existing build instead of running wrangler again. */
  built?: BuiltWorker;
  log?: (line: string) => void;
  /** Start workerd's DevTools inspector on this port (profiling only; never while timing). */
  inspectorPort?: number;
  /**
   * Give the Worker every `[[ratelimits]]` binding of wrangler.toml (names, namespaces, periods)
   * with this limit instead of wrangler.toml's. Default: no rate-limit bindings (not limited).
   */
  rateLimitsRaisedTo?: number;
  /**
   * Also serve the same bundle as a second worker, `rollgate-unlimited`, in the same workerd:
   * same script, flags, vars and KV (counted too when `countKv`), Durable Objects of `rollgate`,
   * no rate-limit bindings, its own direct socket (`unlimitedUrl`).
   */
  unlimitedTwin?: boolean;
}

const KV_ID_FALLBACK = 'rollgate-flags-local';

/** The local secrets `npm start` uses (ADMIN_TOKENS, FALLBACK_CLIENT_KEYS, STREAM_TOKEN_SECRET, …), from .dev.vars.example. */
export function devSecrets(): Record<string, string> {
  return parseEnv(readFileSync(join(REPO_ROOT, '.dev.vars.example'), 'utf8')) as Record<string, string>;
}

/** Direct children of this process named `workerd`. */
function workerdChildPid(): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (comm === 'workerd' && ppid === process.pid) return Number(entry);
    } catch {
      // the process went away
    }
  }
  return null;
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond();
}

let clk: number | undefined;
function clockTicksPerSecond(): number {
  if (clk === undefined) {
    try {
      clk = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clk = 100;
    }
  }
  return clk;
}

/** Builds (unless given a build), starts, seeds and waits until GET /health is 200. */
export async function startRollgate(opts: StartOptions = {}): Promise<RollgateServer> {
  const log = opts.log ?? (() => {});
  const built = opts.built ?? buildWorker();
  const wrangler = unstable_readConfig({ config: join(REPO_ROOT, 'wrangler.toml') });
  const persist = mkdtempSync(join(tmpdir(), 'rollgate-workerd-'));
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(wrangler.vars ?? {})) vars[k] = typeof v === 'string' ? v : JSON.stringify(v);
  Object.assign(vars, devSecrets());
  const sqlite = new Set(wrangler.migrations.flatMap((m: { new_sqlite_classes?: string[] }) => m.new_sqlite_classes ?? []));
  const durableObjects = Object.fromEntries(
    wrangler.durable_objects.bindings.map((b: { name: string; class_name: string }) => [
      b.name,
      { className: b.class_name, useSQLite: sqlite.has(b.class_name) },
    ]),
  );
  const kvBinding = wrangler.kv_namespaces[0];
  if (!kvBinding || wrangler.kv_namespaces.length !== 1) throw new Error('expected exactly one KV namespace in wrangler.toml');
  const kvId = kvBinding.id ?? KV_ID_FALLBACK;
  const countKv = opts.countKv ?? false;

  // Miniflare v4 options: { NAME: { namespace_id, simple: { limit, period } } }.
  const ratelimits =
    opts.rateLimitsRaisedTo === undefined
      ? {}
      : Object.fromEntries(
          (wrangler.ratelimits ?? []).map((b: { name: string; namespace_id: string; simple: { period: number } }) => [
            b.name,
            { namespace_id: b.namespace_id, simple: { limit: opts.rateLimitsRaisedTo, period: b.simple.period } },
          ]),
        );

  const rollgate = {
    name: 'rollgate',
    modules: true,
    scriptPath: built.script,
    modulesRoot: built.dir,
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags,
    bindings: vars,
    durableObjects,
    ...(countKv
      ? { serviceBindings: { [kvBinding.binding]: { name: 'bench-kv', entrypoint: 'CountingKv' } } }
      : { kvNamespaces: { [kvBinding.binding]: kvId } }),
    ratelimits,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  };
  // Same bundle and bindings minus the limiter; its Durable Object bindings point at `rollgate`'s
  // classes, so both workers share one coordinator per environment (and one config).
  const twin = {
    ...rollgate,
    name: 'rollgate-unlimited',
    ratelimits: {},
    durableObjects: Object.fromEntries(Object.entries(durableObjects).map(([name, d]) => [name, { ...d, scriptName: 'rollgate' }])),
  };
  const benchKv = {
    name: 'bench-kv',
    modules: [{ type: 'ESModule', path: 'bench-kv.mjs', contents: COUNTING_KV_SOURCE }],
    compatibilityDate: wrangler.compatibility_date,
    kvNamespaces: { KV: kvId },
  };
  const probe = {
    name: 'bench-probe',
    modules: [{ type: 'ESModule', path: 'bench-probe.mjs', contents: PROBE_SOURCE }],
    compatibilityDate: wrangler.compatibility_date,
    durableObjects: Object.fromEntries(Object.entries(durableObjects).map(([name, d]) => [name, { ...d, scriptName: 'rollgate' }])),
    serviceBindings: { ROLLGATE: 'rollgate' },
    kvNamespaces: { KV: kvId },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  };
  const options = convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: 0,
    cf: false,
    ...(opts.inspectorPort !== undefined ? { inspectorPort: opts.inspectorPort } : {}),
    telemetry: { enabled: false },
    resourcePersistencePath: persist,
    log: undefined,
    workers: opts.unlimitedTwin ? [rollgate, twin, benchKv, probe] : [rollgate, benchKv, probe],
  } as unknown as Parameters<typeof convertV4MiniflareOptions>[0]);
  const mf = new Miniflare(options);
  let disposed = false;
  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    try {
      await mf.dispose();
    } finally {
      rmSync(persist, { recursive: true, force: true });
      if (!opts.built) removeBuild(built);
    }
  };
  try {
    await mf.ready;
    const url = (await mf.unsafeGetDirectURL('rollgate')).href.replace(/\/$/, '');
    const workerdPid = workerdChildPid();
    log(`workerd (pid ${workerdPid ?? '?'}) serving the production bundle on ${url}; state in ${persist}`);
    const probeUrl = (await mf.unsafeGetDirectURL('bench-probe')).href;

    // Seed as `npm start` does: the dev client key and the config, through the admin API.
    const result = validateConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'config/flags.json'), 'utf8')));
    if (!result.ok) throw new Error(`config/flags.json is invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
    await waitFor200(`${url}/health/live`, 30_000);
    for (const line of await seedLocal(url, result.config)) log(line);
    // The config PUT right after the key issue is debounced (one KV write per second per
    // environment) and published by the coordinator's alarm; wait for KV, then for the Worker.
    const published = await waitForPublished(url, 30_000);
    await waitForServed(url, published, 30_000);
    const environments = Object.keys(published);
    let unlimitedUrl: string | null = null;
    if (opts.unlimitedTwin) {
      unlimitedUrl = (await mf.unsafeGetDirectURL('rollgate-unlimited')).href.replace(/\/$/, '');
      await waitForServed(unlimitedUrl, published, 30_000);
      log(`the same bundle without rate-limit bindings on ${unlimitedUrl}`);
    }

    const worker = (name: string) => mf.getWorker(name);
    return {
      url,
      unlimitedUrl,
      restart: async () => {
        await mf.setOptions(options);
        return (await mf.unsafeGetDirectURL('rollgate')).href.replace(/\/$/, '');
      },
      mf,
      built,
      workerdPid,
      config: result.config,
      refreshMs: Number(vars['SNAPSHOT_REFRESH_MS'] ?? 5000),
      environments,
      kv: async () => (countKv ? mf.getKVNamespace('KV', 'bench-kv') : mf.getKVNamespace(kvBinding.binding, 'rollgate')),
      readKv: async (key: string) => {
        const r = await fetch(new URL('/kv', probeUrl), { method: 'POST', body: JSON.stringify({ key }) });
        if (r.status !== 200) throw new Error(`bench-probe /kv answered ${r.status}: ${await r.text()}`);
        return (await r.json<{ value: string | null }>()).value;
      },
      kvCounts: async () => {
        if (!countKv) return null;
        const r = await (await worker('bench-kv')).fetch('http://bench-kv/counts');
        return (await r.json()) as KvCounts;
      },
      probe: async <T>(path: string, body: unknown): Promise<T> => {
        const r = await fetch(new URL(path, probeUrl), { method: 'POST', body: JSON.stringify(body) });
        const text = await r.text();
        if (r.status !== 200) throw new Error(`bench-probe ${path} answered ${r.status}: ${text}`);
        return JSON.parse(text) as T;
      },
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Removes a build directory made by buildWorker. */
export function removeBuild(built: BuiltWorker): void {
  if (existsSync(built.dir)) rmSync(built.dir, { recursive: true, force: true });
}

/** Admin API headers for the local operator token. */
export function adminHeaders(env: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    authorization: `Bearer ${DEV_ADMIN_TOKEN}`,
    'content-type': 'application/json',
    'x-rollgate-confirm': env,
    ...extra,
  };
}
