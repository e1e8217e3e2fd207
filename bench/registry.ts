/**
 * Every benchmark `npm run bench` knows, in report order. To add one: create bench/<name>.ts
 * exporting a BenchFn (see lib/types.ts) and register it here; modules load lazily so that a
 * single-benchmark run does not import (or pay for) the others.
 */
import type { BenchFn } from './lib/types';

export interface Registered {
  name: string;
  description: string;
  load: () => Promise<BenchFn>;
}

export const BENCHMARKS: readonly Registered[] = [
  { name: 'core', description: 'our evaluator vs flagd-core, in-process', load: async () => (await import('./core')).core },
  { name: 'scale', description: 'evaluation and parse+compile vs snapshot size', load: async () => (await import('./scale')).scale },
  { name: 'http', description: 'OFREP requests/s and latency on workerd vs a trivial route', load: async () => (await import('./http')).http },
  { name: 'cold', description: 'fresh isolate: time to first OFREP answer with 10 … 10,000 flags', load: async () => (await import('./cold')).cold },
  { name: 'bundle', description: 'Worker bundle size (wrangler dry run) and largest modules', load: async () => (await import('./bundle')).bundle },
  { name: 'coordinator', description: 'config PUT → KV publish latency, rollout transitions/s', load: async () => (await import('./coordinator')).coordinator },
  { name: 'metrics', description: 'metrics ingestion reports/s, 2 h window queries, tick', load: async () => (await import('./metrics')).metrics },
  { name: 'ui', description: 'dashboard page render time with 1,000 flags and a 7-day rollout', load: async () => (await import('./ui')).ui },
  {
    name: 'verdicts',
    description: 'health rule false-rollback rate, power and SRM, by seeded simulation',
    load: async () => (await import('./verdicts')).verdicts,
  },
  { name: 'reporter', description: 'sdk reporter: record() and per-request overhead, memory bound', load: async () => (await import('./reporter')).reporter },
  {
    name: 'propagation',
    description: 'rollback → every isolate with 60 s KV lag (fast check on/off), SSE fan-out',
    load: async () => (await import('./propagation')).propagation,
  },
];
