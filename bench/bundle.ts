/**
 * `bundle`: the Worker as `wrangler deploy` would upload it. Runs `wrangler deploy --dry-run
 * --outdir <tmp> --metafile <tmp>/meta.json` (minify = true from wrangler.toml), takes raw and
 * gzip size from wrangler's own "Total Upload: X KiB / gzip: Y KiB" line, and attributes the
 * output bytes to packages and modules from the esbuild metafile of that very build.
 */
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fmtBytes, verdict } from './lib/format';
import type { BenchFn } from './lib/types';
import { buildWorker } from './lib/workerd-build';
import { removeBuild } from './lib/workerd-server';
import { fmtPct } from './lib/workerd-stats';

const BUDGET_GZIP_KIB = 100;

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** The package (node_modules/<name> or @scope/name) or the source area (src/<a>/<b>) of a module path. */
export function groupOf(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const parts = path.split('/');
  if (parts[0] === 'src') return parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
  return path;
}

export const bundle: BenchFn = async (opts) => {
  const built = buildWorker();
  try {
    const meta = JSON.parse(readFileSync(built.metafile, 'utf8')) as Metafile;
    const outKey = Object.keys(meta.outputs).find((k) => k.endsWith('/index.js'));
    if (!outKey) throw new Error(`no index.js output in ${built.metafile}: ${Object.keys(meta.outputs).join(', ')}`);
    const out = meta.outputs[outKey]!;
    const code = readFileSync(built.script);
    const rawBytes = statSync(built.script).size;
    const ownGzip = gzipSync(code, { level: 9 }).length;

    // Answers first: wrangler's line, the file on disk and the metafile must describe the same bundle.
    const problems: string[] = [];
    if (out.bytes !== rawBytes) problems.push(`metafile says ${out.bytes} B, index.js is ${rawBytes} B`);
    if (Math.abs(built.totalKiB - rawBytes / 1024) > 0.02)
      problems.push(`wrangler says ${built.totalKiB} KiB, index.js is ${(rawBytes / 1024).toFixed(2)} KiB`);
    if (Math.abs(built.gzipKiB - ownGzip / 1024) / built.gzipKiB > 0.05)
      problems.push(`wrangler's gzip ${built.gzipKiB} KiB is far from zlib -9's ${(ownGzip / 1024).toFixed(2)} KiB`);
    const attributed = Object.values(out.inputs).reduce((n, i) => n + i.bytesInOutput, 0);
    if (attributed > rawBytes || attributed < rawBytes * 0.95) problems.push(`metafile attributes ${attributed} B of ${rawBytes} B`);
    if (problems.length) throw new Error(`the bundle's sizes disagree:\n  ${problems.join('\n  ')}`);
    opts.log(`wrangler: ${built.totalKiB} KiB / gzip ${built.gzipKiB} KiB; metafile attributes ${attributed} of ${rawBytes} B`);

    const groups = new Map<string, { bytes: number; modules: number }>();
    for (const [path, i] of Object.entries(out.inputs)) {
      const g = groups.get(groupOf(path)) ?? { bytes: 0, modules: 0 };
      g.bytes += i.bytesInOutput;
      g.modules++;
      groups.set(groupOf(path), g);
    }
    const byGroup = [...groups].sort((a, b) => b[1].bytes - a[1].bytes);
    const packages = byGroup.filter(([g]) => !g.startsWith('src') && !g.startsWith('config'));
    const packageBytes = packages.reduce((n, [, g]) => n + g.bytes, 0);
    const topGroups = byGroup.slice(0, 15);
    const topModules = Object.entries(out.inputs)
      .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
      .slice(0, 15);
    const pass = built.gzipKiB <= BUDGET_GZIP_KIB;

    return {
      status: 'ok',
      tables: [
        {
          title: 'Worker bundle (`wrangler deploy --dry-run`, minify = true)',
          columns: ['Measure', 'Value', 'Budget'],
          rows: [
            ['Total upload (raw)', `${built.totalKiB} KiB (${rawBytes.toLocaleString('en-US')} B)`, '—'],
            ['gzip (wrangler)', `${built.gzipKiB} KiB`, `≤ ${BUDGET_GZIP_KIB} KiB: ${verdict(pass)}`],
            ['gzip -9 (zlib, for reference)', fmtBytes(ownGzip), '—'],
            ['Modules in the bundle', `${Object.keys(out.inputs).length}`, '—'],
            ['Bytes from npm packages', `${fmtBytes(packageBytes)} (${fmtPct(packageBytes / rawBytes)})`, '—'],
          ],
          notes: [
            'Sizes are wrangler\'s own "Total Upload: … / gzip: …" line for the dry run; the bundle is the single module index.js (the source map is not uploaded).',
            `Consistency check (before reporting): the metafile's output size equals index.js on disk (${rawBytes} B), wrangler's raw figure matches it, and the metafile attributes ${fmtPct(attributed / rawBytes)} of the bytes to input modules (the rest is esbuild's runtime glue).`,
          ],
        },
        {
          title: 'Largest contributors by package or source area (minified bytes in the output)',
          columns: ['Package / area', 'Bytes', 'Share', 'Modules'],
          rows: topGroups.map(([g, v]) => [`\`${g}\``, fmtBytes(v.bytes), fmtPct(v.bytes / rawBytes), String(v.modules)]),
          notes: [
            'From the esbuild metafile wrangler wrote for this build (`--metafile`): `bytesInOutput` per input, grouped by npm package, by `src/<area>/<sub-area>`, or by file. Shares are of the raw (not gzip) size.',
          ],
        },
        {
          title: 'Largest modules (minified bytes in the output)',
          columns: ['Module', 'Bytes', 'Share'],
          rows: topModules.map(([p, v]) => [`\`${p.replace(/^.*node_modules\//, '')}\``, fmtBytes(v.bytesInOutput), fmtPct(v.bytesInOutput / rawBytes)]),
        },
      ],
      budgets: [{ name: 'Worker bundle gzip (wrangler deploy --dry-run)', target: `≤ ${BUDGET_GZIP_KIB} KiB`, measured: `${built.gzipKiB} KiB`, pass }],
      data: {
        totalKiB: built.totalKiB,
        gzipKiB: built.gzipKiB,
        rawBytes,
        gzip9Bytes: ownGzip,
        groups: Object.fromEntries(byGroup),
        modules: Object.fromEntries(Object.entries(out.inputs).map(([p, v]) => [p, v.bytesInOutput])),
      },
    };
  } finally {
    removeBuild(built);
  }
};
