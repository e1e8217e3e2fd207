/**
 * Loads one URL from a second process over loopback: `wrk` when it is on PATH (Debian's `wrk`
 * package), else autocannon (npm devDependency) through http-load-child.mjs. Both report the
 * number of responses per status, the elapsed time, latency percentiles and the CPU time the
 * load process itself used (to tell whether the client, not the server, was the limit).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  requests: number;
  elapsedMs: number;
  statuses: Record<string, number>;
  /** Socket errors and timeouts. */
  errors: number;
  latencyMs: { p50: number | null; p99: number | null; mean: number | null; max: number | null };
  /** CPU time (user + system) of the load process. */
  cpuMs: number;
}

export type LoadTool = 'wrk' | 'autocannon';

/** wrk when the machine has it, else the npm fallback; ROLLGATE_BENCH_LOAD=autocannon|wrk forces one. */
export function loadTool(): LoadTool {
  const forced = process.env['ROLLGATE_BENCH_LOAD'];
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  const which = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? 'wrk' : 'autocannon';
}

export function loadToolVersion(tool: LoadTool): string {
  if (tool === 'wrk') {
    const v = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
    return (`${v.stdout}${v.stderr}`.split('\n')[0] ?? 'wrk').trim();
  }
  try {
    return `autocannon ${JSON.parse(spawnSync(process.execPath, ['-p', "JSON.stringify(require('autocannon/package.json').version)"], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout) as string}`;
  } catch {
    return 'autocannon';
  }
}

/** Runs `cmd` through sh and prints sh's /proc stat afterwards: its cutime/cstime are the child's CPU time. */
function runWithCpu(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', '"$@"; s=$?; echo; echo "__STAT__ $(cat /proc/$$/stat)" >&2; exit $s', 'sh', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /__STAT__ (.*)$/m.exec(stderr);
      let cpuMs = Number.NaN;
      if (m) {
        const fields = m[1]!.slice(m[1]!.lastIndexOf(')') + 2).split(' ');
        // fields[13], fields[14]: cutime, cstime (clock ticks of waited-for children); 100 Hz on Linux.
        cpuMs = (Number(fields[13]) + Number(fields[14])) * 10;
      }
      stderr = stderr.replace(/\n?__STAT__ .*$/m, '');
      if (code !== 0) reject(new Error(`${cmd} exited with ${code}:\n${stderr}\n${stdout}`));
      else resolve({ stdout, stderr, cpuMs });
    });
  });
}

const WRK_SCRIPT = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do counts[k] = (counts[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, string.format('"%d":%d', k, v)) end
  local e = summary.errors
  io.write(string.format('\\n__WRK__{"requests":%d,"durationUs":%d,"errors":%d,"p50":%f,"p99":%f,"mean":%f,"max":%f,"statuses":{%s}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99), latency.mean, latency.max, table.concat(parts, ",")))
end
`;

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-wrk-'));
  try {
    const script = join(dir, 'case.lua');
    const lines = [`wrk.method = "${spec.method}"`];
    if (spec.body !== undefined) lines.push(`wrk.body = ${luaString(spec.body)}`);
    for (const [k, v] of Object.entries(spec.headers)) lines.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
    writeFileSync(script, `${lines.join('\n')}\n${WRK_SCRIPT}`);
    const out = await runWithCpu(
      'wrk',
      ['-t1', `-c${spec.connections}`, `-d${spec.durationSec}s`, '--timeout', '5s', '-s', script, spec.url],
      (spec.durationSec + 30) * 1000,
    );
    const m = /__WRK__(\{.*\})/.exec(out.stdout);
    if (!m) throw new Error(`no result line from wrk:\n${out.stdout}\n${out.stderr}`);
    const r = JSON.parse(m[1]!) as {
      requests: number;
      durationUs: number;
      errors: number;
      p50: number;
      p99: number;
      mean: number;
      max: number;
      statuses: Record<string, number>;
    };
    return {
      tool: 'wrk',
      requests: r.requests,
      elapsedMs: r.durationUs / 1000,
      statuses: r.statuses,
      errors: r.errors,
      latencyMs: { p50: r.p50 / 1000, p99: r.p99 / 1000, mean: r.mean / 1000, max: r.max / 1000 },
      cpuMs: out.cpuMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const node = join(REPO_ROOT, 'node_modules/.bin/node');
  const child = join(REPO_ROOT, 'bench/lib/http-load-child.mjs');
  const out = await runWithCpu(node, [child, JSON.stringify(spec)], (spec.durationSec + 30) * 1000);
  const r = JSON.parse(out.stdout.trim()) as Omit<LoadResult, 'errors'> & { errors: number; timeouts: number };
  // The child's own process.cpuUsage() excludes its start-up; prefer it to the wait-based total.
  return {
    tool: 'autocannon',
    requests: r.requests,
    elapsedMs: r.elapsedMs,
    statuses: r.statuses,
    errors: r.errors + r.timeouts,
    latencyMs: r.latencyMs,
    cpuMs: r.cpuMs,
  };
}

/** One load run with the given tool. */
export function runLoad(tool: LoadTool, spec: LoadSpec): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(spec) : runAutocannon(spec);
}
