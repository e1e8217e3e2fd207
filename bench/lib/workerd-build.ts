/**
 * The production bundle, built exactly as `wrangler deploy` would upload it: `wrangler deploy
 * --dry-run --outdir <dir> --metafile <dir>/meta.json`. Used by `bundle` (sizes) and by the
 * workerd benchmarks (`http`, `coordinator`, `metrics`), which serve this very file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './paths';

/** The bench's Worker build: the production Worker plus the bench-only POST floor in front (bench/worker/bench-entry.ts). */
export const BENCH_ENTRY = 'bench/worker/bench-entry.ts';

export interface BuiltWorker {
  /** Output directory (a fresh temp dir unless one was given). */
  dir: string;
  /** The bundled entry module. */
  script: string;
  /** esbuild metafile wrangler wrote for this bundle. */
  metafile: string;
  /** Wrangler's "Total Upload: X KiB / gzip: Y KiB", in KiB as printed. */
  totalKiB: number;
  gzipKiB: number;
  /** Wrangler's output, for the report's notes on failure. */
  output: string;
}

/** Environment for wrangler: no telemetry, no network look-ups of the account. */
export const OFFLINE_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };

/**
 * Runs `wrangler deploy --dry-run` into `dir` (default: a new temp dir) and parses its size line.
 * `entry` replaces wrangler.toml's `main` (the bench's build, BENCH_ENTRY); default: production's.
 */
export function buildWorker(dir = mkdtempSync(join(tmpdir(), 'rollgate-bundle-')), extraArgs: string[] = [], entry?: string): BuiltWorker {
  const wrangler = join(REPO_ROOT, 'node_modules/.bin/wrangler');
  const metafile = join(dir, 'meta.json');
  const run = spawnSync(wrangler, ['deploy', '--dry-run', '--outdir', dir, '--metafile', metafile, ...extraArgs, ...(entry ? [entry] : [])], {
    cwd: REPO_ROOT,
    env: OFFLINE_ENV,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${run.status}):\n${output}`);
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  if (!m) throw new Error(`no "Total Upload: … / gzip: …" line in wrangler's output:\n${output}`);
  return {
    dir,
    script: join(dir, entry ? `${basename(entry).replace(/\.ts$/, '')}.js` : 'index.js'),
    metafile,
    totalKiB: Number(m[1]),
    gzipKiB: Number(m[2]),
    output,
  };
}
