/** Test doubles for the CLI: injected streams, a virtual clock and a fake Rollgate API. */
import { PassThrough } from 'node:stream';
import type { RolloutView } from '../../scripts/cli/lib/api';
import type { CliIo, OutStream } from '../../scripts/cli/lib/io';
import { main } from '../../scripts/cli/main';
import { zHealthThresholds } from '../../src/core/schema/rollout';

/** A captured output stream. */
export class Capture implements OutStream {
  text = '';
  constructor(
    public isTTY = false,
    public columns = 120,
  ) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

/** One request the fake API saw. */
export interface SeenRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** What a fake route answers. */
export interface FakeAnswer {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SeenRequest) => FakeAnswer | Promise<FakeAnswer>;

/** A fetch that answers from a handler and records requests. */
export function fakeFetch(handler: Handler): { fetch: typeof fetch; calls: SeenRequest[] } {
  const calls: SeenRequest[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers);
    const raw = init?.body;
    const req: SeenRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      url,
      headers,
      body: typeof raw === 'string' ? JSON.parse(raw) : undefined,
    };
    calls.push(req);
    const a = await handler(req);
    return new Response(a.json === undefined ? null : JSON.stringify(a.json), {
      status: a.status ?? 200,
      headers: { 'content-type': 'application/json', ...a.headers },
    });
  };
  return { fetch: f, calls };
}

/** Routes by "METHOD path" (path without query); unknown routes answer 404 like the Worker. */
export function routes(table: Record<string, Handler | FakeAnswer>): Handler {
  return (req) => {
    const key = `${req.method} ${req.url.pathname}`;
    const h = table[key];
    if (!h) return { status: 404, json: { error: `no fake route for ${key}` } };
    return typeof h === 'function' ? h(req) : h;
  };
}

export interface FakeIoOptions {
  /** Text typed on stdin; undefined for an empty stream. */
  stdin?: string;
  stdinTTY?: boolean;
  stdoutTTY?: boolean;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  now?: number;
}

/** An injected CliIo with captured output and a virtual clock that sleeping advances. */
export function fakeIo(options: FakeIoOptions = {}): { io: CliIo; stdout: Capture; stderr: Capture; clock: { now: number } } {
  const stdout = new Capture(options.stdoutTTY ?? false);
  const stderr = new Capture(false);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.stdinTTY ?? false;
  stdin.end(options.stdin ?? '');
  const clock = { now: options.now ?? Date.parse('2026-11-27T10:00:00Z') };
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: { NO_COLOR: '1', ...options.env },
    fetch: options.fetch ?? fakeFetch(() => ({ status: 500 })).fetch,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    cwd: process.cwd(),
    run: async () => ({ code: 0, stdout: '', stderr: '' }),
  };
  return { io, stdout, stderr, clock };
}

/** Runs the CLI with a fake io; returns the exit code and output. */
export async function runCli(argv: string[], options: FakeIoOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = fakeIo(options);
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A rollout as the API shows it, with overrides. */
export function rolloutView(overrides: Partial<RolloutView> = {}): RolloutView {
  const startedAt = Date.parse('2026-11-27T09:00:00Z');
  return {
    id: 'ro_test_1',
    flag: 'new-checkout',
    variant: 'on',
    baselineVariant: null,
    plan: {
      strategy: 'safe',
      stages: [
        { percent: 5, afterSeconds: 0 },
        { percent: 25, afterSeconds: 3600 },
        { percent: 100, afterSeconds: 7200 },
      ],
      bakeSeconds: 600,
      health: zHealthThresholds.parse({}),
    },
    status: 'running',
    stageIndex: 0,
    percent: 5,
    startedAt,
    pausedTotalMs: 0,
    pausedAt: null,
    bakeStartedAt: null,
    endedAt: null,
    lastVerdict: null,
    lastDecision: 'started at 5%',
    lastTickAt: null,
    nextPromotionAt: new Date(startedAt + 3600_000).toISOString(),
    ...overrides,
  };
}

/** A minimal valid config document. */
export const CONFIG = {
  environments: ['development', 'staging', { name: 'production', protected: true }],
  flags: {
    'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
  },
};
