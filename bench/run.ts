/**
 * `npm run bench [-- <name> …] [--quick] [--list]`: runs the selected benchmarks (all when none
 * is named), prints their tables and PASS/MISS per budget row, and merges their sections into
 * bench/results.json and bench/RESULTS.md. Exit code 1 when a benchmark fails (answer mismatch
 * or crash); a budget MISS is reported but does not fail the run.
 */
import { machineInfo } from './lib/machine';
import { resultChecksum } from './lib/measure';
import { consoleSummary, RESULTS_MD, saveResults } from './lib/report';
import type { BenchSection } from './lib/types';
import { BENCHMARKS } from './registry';

function usage(): string {
  return ['usage: npm run bench [-- <name> …] [--quick] [--list]', ...BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.description}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const names = argv.filter((a) => !a.startsWith('-'));
  if (flags.has('--list') || flags.has('--help') || flags.has('-h')) {
    console.log(usage());
    return 0;
  }
  const unknownFlags = [...flags].filter((f) => f !== '--quick');
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length || unknownFlags.length) {
    console.error(`unknown benchmark or option: ${[...unknown, ...unknownFlags].join(', ')}\n${usage()}`);
    return 2;
  }
  const quick = flags.has('--quick');
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;

  const fresh: Record<string, BenchSection> = {};
  let failed = 0;
  for (const b of selected) {
    console.log(`\n▶ ${b.name} — ${b.description}${quick ? ' (quick)' : ''}`);
    const machine = machineInfo();
    if (machine.loadAvg > machine.cores / 2) {
      console.warn(`  warning: load average ${machine.loadAvg} on ${machine.cores} cores — other work will skew these timings`);
    }
    const started = performance.now();
    const log = (line: string) => console.log(`  ${line}`);
    try {
      const fn = await b.load();
      const outcome = await fn({ quick, log });
      fresh[b.name] = { ...outcome, machine, quick, durationMs: performance.now() - started };
    } catch (err) {
      failed++;
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`\n✖ ${b.name} FAILED\n${message}\n`);
      fresh[b.name] = { status: 'failed', reason: message, tables: [], budgets: [], machine, quick, durationMs: performance.now() - started };
    }
    for (const line of consoleSummary(b.name, fresh[b.name]!)) console.log(line);
  }

  saveResults(
    fresh,
    BENCHMARKS.map((b) => b.name),
  );
  console.log(`\nwrote ${RESULTS_MD} and results.json (checksum ${resultChecksum()})`);
  const misses = Object.values(fresh).flatMap((s) => s.budgets.filter((x) => !x.pass));
  if (misses.length) console.log(`${misses.length} budget row(s) MISSED — see RESULTS.md`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
