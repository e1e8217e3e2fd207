/**
 * bench/results.json is the source of truth; bench/RESULTS.md is rendered from it alone. A run
 * replaces only the sections of the benchmarks it ran, so `npm run bench -- core` keeps the
 * last `scale` numbers (each section carries its own machine and date).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtInt, verdict } from './format';
import { BENCH_DIR } from './paths';
import type { BenchSection, ResultsFile, Table } from './types';

export const RESULTS_JSON = join(BENCH_DIR, 'results.json');
export const RESULTS_MD = join(BENCH_DIR, 'RESULTS.md');

export function loadResults(): ResultsFile {
  if (!existsSync(RESULTS_JSON)) return { schema: 1, updatedAt: '', benchmarks: {} };
  const parsed = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as Partial<ResultsFile>;
  if (parsed.schema !== 1 || typeof parsed.benchmarks !== 'object' || parsed.benchmarks === null) {
    throw new Error(`${RESULTS_JSON} is not a schema-1 results file; move it away to start afresh`);
  }
  return { schema: 1, updatedAt: parsed.updatedAt ?? '', benchmarks: parsed.benchmarks };
}

/** Merges fresh sections into the stored results and writes both files. */
export function saveResults(fresh: Record<string, BenchSection>, order: readonly string[]): ResultsFile {
  const current = loadResults();
  const merged: Record<string, BenchSection> = {};
  const names = [...order, ...Object.keys(current.benchmarks).filter((n) => !order.includes(n))];
  for (const name of names) {
    const section = fresh[name] ?? current.benchmarks[name];
    if (section) merged[name] = section;
  }
  const results: ResultsFile = { schema: 1, updatedAt: new Date().toISOString(), benchmarks: merged };
  writeFileSync(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(RESULTS_MD, renderMarkdown(results));
  return results;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(t: Table): string[] {
  const lines = [`### ${t.title}`, '', `| ${t.columns.map(cell).join(' | ')} |`, `|${t.columns.map(() => ' --- ').join('|')}|`];
  for (const row of t.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  if (t.notes?.length) lines.push('', ...t.notes.map((n) => `- ${n}`));
  lines.push('');
  return lines;
}

function renderSection(name: string, s: BenchSection): string[] {
  const m = s.machine;
  const lines = [
    `## ${name}`,
    '',
    `Measured ${m.date} on ${m.cpu} (${m.cores} cores, ${m.platform}), Node ${m.node}, workerd ${m.workerd}; code ${m.commit ?? '?'}; load average ${m.loadAvg ?? '?'} at start; took ${fmtInt(Math.round(s.durationMs / 1000))} s.` +
      (s.quick ? ' **Quick run (--quick): shortened timings, not valid for the budget.**' : ''),
    '',
  ];
  if (s.status === 'unavailable') return [...lines, `Not yet available: ${s.reason ?? ''}`, ''];
  if (s.status === 'failed') return [...lines, '**FAILED** — no numbers recorded:', '', '```', s.reason ?? '', '```', ''];
  for (const t of s.tables) lines.push(...renderTable(t));
  return lines;
}

export function renderMarkdown(r: ResultsFile): string {
  const lines = [
    '# Rollgate benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts) from bench/results.json — do not edit by hand.',
    'Run `npm run bench -- <name>` to refresh one section; each section names the machine it ran on.',
    '',
    '## Budget',
    '',
    '| Benchmark | Check | Target | Measured | Result |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [name, s] of Object.entries(r.benchmarks)) {
    if (s.status === 'failed') lines.push(`| ${name} | answer check / run | — | failed | **FAILED** |`);
    for (const b of s.budgets) {
      const result = (b.pass ? 'PASS' : '**MISS**') + (s.quick ? ' (quick run)' : '');
      lines.push(`| ${name} | ${cell(b.name)} | ${cell(b.target)} | ${cell(b.measured)} | ${result} |`);
    }
    if (s.status === 'unavailable') lines.push(`| ${name} | — | — | not yet available | — |`);
  }
  lines.push('');
  for (const [name, s] of Object.entries(r.benchmarks)) lines.push(...renderSection(name, s));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A plain-text rendering of a section for the console. */
export function consoleSummary(name: string, s: BenchSection): string[] {
  const out: string[] = [];
  for (const t of s.tables) {
    out.push(`  ${t.title}`);
    const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => (r[i] ?? '').length)));
    const fmt = (row: string[]) => `    ${row.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`;
    out.push(fmt(t.columns), ...t.rows.map(fmt));
  }
  for (const b of s.budgets) out.push(`  ${verdict(b.pass)}  ${name}: ${b.name} — target ${b.target}, measured ${b.measured}`);
  return out;
}
