/**
 * CPU profile of Rollgate inside workerd under HTTP load, for when the `http` budget is missed
 * (bench/http.ts calls `profileRoutes` then, and the top frames go into RESULTS.md). By hand:
 *
 *   npx tsx bench/lib/workerd-profile.ts [floor|post-floor|single|bulk|bulk304] [seconds] [out.cpuprofile]
 *   npx tsx bench/lib/cpuprofile-top.ts out.cpuprofile 25
 *
 * Builds the Worker unminified (frames keep their names; same code otherwise), serves it like
 * bench/http.ts but with workerd's DevTools inspector on, starts the V8 sampling profiler of the
 * `rollgate` isolate over the inspector protocol, loads the route from a second process, and
 * returns the profile. The inspector costs time itself: never time with it on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/e2e/support';
import { loadTool, runLoad, type LoadSpec } from './http-load';
import { BENCH_ENTRY, buildWorker } from './workerd-build';
import { devClientKey, removeBuild, startRollgate } from './workerd-server';

export type Route = 'floor' | 'post-floor' | 'single' | 'bulk' | 'bulk304';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  /** Function name, or a V8 pseudo-frame such as (garbage collector). */
  name: string;
  /** The source module the frame's code came from (from the unminified bundle's module comments). */
  module: string;
  selfPct: number;
}

export interface RouteProfile {
  route: Route;
  requests: number;
  seconds: number;
  /** Self time of the top frames, in % of the busy (non-idle) samples. */
  frames: Frame[];
  /** Busy share of the profiled time (the rest is the isolate waiting). */
  busyPct: number;
  /** Inclusive (total) time of Rollgate's own functions (src/), in % of busy samples. */
  ownTotals: Frame[];
  profile: CpuProfile;
}

/** Maps a line of the unminified bundle to the module esbuild wrote it from (`// src/…` comments). */
function moduleIndex(bundle: string): (line: number) => string {
  const marks: { line: number; path: string }[] = [];
  bundle.split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:src|bench|node_modules|config)\/\S+)$/.exec(text);
    if (m) marks.push({ line: i, path: m[1]!.replace(/^node_modules\//, '') });
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let best = 'esbuild helpers';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]!.line <= line) {
        best = marks[mid]!.path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };
}

/** Top frames by self time, as % of non-idle samples. */
export function topFrames(
  profile: CpuProfile,
  moduleOf: (line: number) => string,
  n: number,
  script = 'bench-entry.js',
): { frames: Frame[]; busyPct: number; ownTotals: Frame[] } {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const total = new Map<string, { name: string; module: string; t: number }>();
  const self = new Map<string, { name: string; module: string; t: number }>();
  let all = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') {
      idle += dt;
      return;
    }
    // Frames without a script are workerd's C++ and V8's builtins; V8 names them after whatever
    // native callback it resolves (often misleadingly), so they are reported as one sum.
    const native = !f.url && f.functionName !== '(garbage collector)';
    const module = native ? '' : f.url.endsWith(script) ? moduleOf(f.lineNumber) : f.url;
    const name = native ? 'native code: workerd C++, V8 builtins, (program)' : f.functionName || '(anonymous)';
    const key = `${name}\u0000${module}`;
    const e = self.get(key) ?? { name, module, t: 0 };
    e.t += dt;
    self.set(key, e);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (!cf.url.endsWith(script)) continue;
      const mod = moduleOf(cf.lineNumber);
      if (!mod.startsWith('src/')) continue;
      const k = `${cf.functionName}\u0000${mod}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const t = total.get(k) ?? { name: cf.functionName || '(anonymous)', module: mod, t: 0 };
      t.t += dt;
      total.set(k, t);
    }
  });
  const busy = all - idle;
  const frames = [...self.values()]
    .sort((a, b) => b.t - a.t)
    .slice(0, n)
    .map((e) => ({ name: e.name, module: e.module, selfPct: (100 * e.t) / busy }));
  const ownTotals = [...total.values()]
    .sort((a, b) => b.t - a.t)
    .slice(0, n)
    .map((e) => ({ name: e.name, module: e.module, selfPct: (100 * e.t) / busy }));
  return { frames, busyPct: (100 * busy) / all, ownTotals };
}

/** Profiles each route in turn (one server, one inspector session per route). */
export async function profileRoutes(routes: Route[], seconds: number, log: (l: string) => void, topN = 15): Promise<RouteProfile[]> {
  const built = buildWorker(undefined, ['--minify=false'], BENCH_ENTRY);
  const moduleOf = moduleIndex(readFileSync(built.script, 'utf8'));
  const port = await freePort();
  const server = await startRollgate({ built, countKv: false, inspectorPort: port, log });
  try {
    const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json<{ id: string; title?: string; url?: string; webSocketDebuggerUrl: string }[]>();
    const target = targets.find((t) => /rollgate/.test(`${t.title} ${t.url} ${t.id}`) && !/bench-/.test(`${t.title} ${t.url} ${t.id}`));
    if (!target) throw new Error(`no inspector target for the rollgate worker: ${JSON.stringify(targets)}`);
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((res, rej) => {
      ws.addEventListener('open', res, { once: true });
      ws.addEventListener('error', rej, { once: true });
    });
    let nextId = 1;
    const pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: unknown };
      const p = msg.id === undefined ? undefined : pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id!);
      if (msg.error) p.rej(new Error(JSON.stringify(msg.error)));
      else p.res(msg.result);
    });
    const send = <T>(method: string, params: object = {}): Promise<T> =>
      new Promise((res, rej) => {
        const id = nextId++;
        pending.set(id, { res: res as (v: unknown) => void, rej });
        ws.send(JSON.stringify({ id, method, params }));
      });

    const headers = { authorization: `Bearer ${devClientKey('staging')}`, 'content-type': 'application/json' };
    const body = JSON.stringify({
      context: { targetingKey: 'user-4711', email: 'jane.doe@mailbox.example', platform: 'ios', appVersion: '5.3.1', country: 'DE', plan: 'business' },
    });
    const first = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers, body });
    await first.arrayBuffer();
    const specs: Record<Route, Omit<LoadSpec, 'connections' | 'durationSec'>> = {
      floor: { url: `${server.url}/health/live`, method: 'GET', headers: {} },
      'post-floor': { url: `${server.url}/__bench/post-floor`, method: 'POST', headers: { ...headers, 'x-bench-floor-bytes': '300' }, body },
      single: { url: `${server.url}/ofrep/v1/evaluate/flags/new-checkout`, method: 'POST', headers, body },
      bulk: { url: `${server.url}/ofrep/v1/evaluate/flags`, method: 'POST', headers, body },
      bulk304: { url: `${server.url}/ofrep/v1/evaluate/flags`, method: 'POST', headers: { ...headers, 'if-none-match': first.headers.get('etag')! }, body },
    };
    const tool = loadTool();
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: 100 });
    const out: RouteProfile[] = [];
    for (const route of routes) {
      await runLoad(tool, { ...specs[route], connections: 10, durationSec: 2 }); // warm-up
      await send('Profiler.start');
      const load = await runLoad(tool, { ...specs[route], connections: 10, durationSec: seconds });
      const { profile } = await send<{ profile: CpuProfile }>('Profiler.stop');
      const { frames, busyPct, ownTotals } = topFrames(profile, moduleOf, topN);
      log(`profiled ${route}: ${load.requests} requests in ${(load.elapsedMs / 1000).toFixed(1)} s with the profiler on`);
      out.push({ route, requests: load.requests, seconds: load.elapsedMs / 1000, frames, busyPct, ownTotals, profile });
    }
    ws.close();
    return out;
  } finally {
    await server.dispose();
    removeBuild(built);
  }
}

/** "name (module) 12.3 %" lines for a report. */
export function describeFrames(frames: readonly Frame[], n: number): string {
  return frames
    .slice(0, n)
    .map((f) => `${f.name}${f.module ? ` (${f.module})` : ''} ${f.selfPct.toFixed(1)} %`)
    .join('; ');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [which = 'single', secondsArg = '8', outArg] = process.argv.slice(2);
  const out = outArg ?? join(tmpdir(), `rollgate-workerd-${which}.cpuprofile`);
  const [p] = await profileRoutes([which as Route], Number(secondsArg), (l) => console.log(l), 25);
  writeFileSync(out, JSON.stringify(p!.profile));
  console.log(`busy ${p!.busyPct.toFixed(1)} % of the profiled time; top self time (% of busy):`);
  for (const f of p!.frames) console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.name}  ${f.module}`);
  console.log('inclusive time of src/ functions (% of busy):');
  for (const f of p!.ownTotals) console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.name}  ${f.module}`);
  console.log(`wrote ${out}`);
}
