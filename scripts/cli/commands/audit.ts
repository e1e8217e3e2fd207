import type { AuditEntry, AuditPage } from '../lib/api';
import { expectPositionals, numberOption, stringOption } from '../lib/args';
import { EXIT, UsageError } from '../lib/errors';
import { isoSeconds, table } from '../lib/output';
import { describeNumbers } from '../lib/rollouts';
import type { CommandDef } from '../command';

const PAGE_MAX = 500;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
/** A config version of a diff as shown: a number (or a string, as written), else `none`. */
const shownVersion = (v: unknown, none: string): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : none);

/** A one-line summary of an entry's diff. */
export function summarizeDiff(entry: AuditEntry): string {
  const d = obj(entry.diff);
  if (!d) return '';
  if (entry.action.startsWith('config.')) {
    const changes = Array.isArray(d['changes']) ? [...(d['changes'] as { target: string; change: string }[])] : [];
    const sign = { added: '+', removed: '-', changed: '~' } as Record<string, string>;
    if (changes.length === 0 && typeof d['flag'] === 'string') changes.push({ target: d['flag'], change: 'changed' });
    const shown = changes.slice(0, changes.length > 6 ? 5 : 6).map((c) => `${sign[c.change] ?? '?'}${c.target}`);
    if (changes.length > shown.length) shown.push(`… ${changes.length - shown.length} more`);
    const list = shown.join(' ');
    return `v${shownVersion(d['fromVersion'], '–')} → v${shownVersion(d['toVersion'], '?')}${list ? `: ${list}` : ''}`;
  }
  if (entry.action === 'rollout.start') {
    const a = obj(d['after']);
    const plan = obj(a?.['plan']);
    return a ? `→ ${String(a['variant'])} at ${String(a['percent'])}%${plan ? ` (${String(plan['strategy'])})` : ''}` : '';
  }
  if (entry.action.startsWith('rollout.')) {
    const b = obj(d['before']);
    const a = obj(d['after']);
    let s = b && a ? `${String(b['status'])} ${String(b['percent'])}% → ${String(a['status'])} ${String(a['percent'])}%` : '';
    const events = Array.isArray(d['events']) ? (d['events'] as Obj[]) : [];
    const trip = events.find((e) => e['type'] === 'rolled_back' && e['trigger']);
    if (trip) s += ` · trigger ${String(trip['trigger'])} (${describeNumbers(obj(trip['numbers']))})`;
    return s;
  }
  return '';
}

/** An ISO 8601 time option, normalised (the server reads the same instant); a usage error otherwise. */
function timeOption(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO 8601 time, e.g. 2026-11-28T02:00:00Z, not "${raw}"`, 'audit');
  return new Date(ms).toISOString();
}

export const audit: CommandDef = {
  name: 'audit',
  summary: 'The audit log of an environment, newest first.',
  usage: ['audit --env ENV [--flag F] [--action A] [--actor NAME] [--since TIME] [--until TIME] [--limit N] [--cursor C] [--json]'],
  description: [
    'Every config write, rollout transition (by operators and by the automation, with the numbers that',
    'tripped a rollback) and key change. Pages through the API with its cursor until --limit entries',
    '(default 20); --json includes nextCursor, which --cursor continues from.',
  ].join('\n'),
  uses: { target: true, json: true },
  options: {
    flag: { type: 'string', valueName: 'F', description: 'only entries about this flag' },
    action: { type: 'string', valueName: 'A', description: 'only this action, e.g. config.put, rollout.rollback, rollout.auto_rolled_back' },
    actor: { type: 'string', valueName: 'NAME', description: 'only entries by this actor (a token name, or rollgate for the automation)' },
    since: { type: 'string', valueName: 'TIME', description: 'only entries at or after this ISO 8601 time, e.g. 2026-11-28T02:00:00Z' },
    until: { type: 'string', valueName: 'TIME', description: 'only entries before this ISO 8601 time' },
    limit: { type: 'string', valueName: 'N', description: 'how many entries (default 20)' },
    cursor: { type: 'string', valueName: 'C', description: 'continue from a nextCursor' },
  },
  examples: [
    'rollgate audit --env production --flag new-checkout',
    'rollgate audit --env production --action config.put --limit 5 --json',
    'rollgate audit --env production --actor rollgate --since 2026-11-28T02:00:00Z',
  ],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'audit', 0, 0, '');
    const limit = numberOption(ctx.values, 'limit', 'audit', { min: 1, max: 100_000, integer: true }) ?? 20;
    let cursor = stringOption(ctx.values, 'cursor') ?? null;
    if (cursor !== null && !/^\d+$/.test(cursor)) throw new UsageError('--cursor must be a nextCursor from earlier output', 'audit');
    const flag = stringOption(ctx.values, 'flag');
    const action = stringOption(ctx.values, 'action');
    const actor = stringOption(ctx.values, 'actor');
    const since = timeOption(stringOption(ctx.values, 'since'), 'since');
    const until = timeOption(stringOption(ctx.values, 'until'), 'until');
    const { environment } = ctx.target();
    const client = ctx.client();
    const entries: AuditEntry[] = [];
    do {
      const q = new URLSearchParams({ limit: String(Math.min(PAGE_MAX, limit - entries.length)) });
      if (cursor) q.set('cursor', cursor);
      if (flag) q.set('flag', flag);
      if (action) q.set('action', action);
      if (actor) q.set('actor', actor);
      if (since) q.set('since', since);
      if (until) q.set('until', until);
      const page = (await client.get<AuditPage>(client.envPath(environment, `/audit?${q.toString()}`), { environment })).body;
      entries.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor !== null && entries.length < limit);
    if (ctx.json) {
      ctx.out.json({ environment, entries, nextCursor: cursor });
      return EXIT.ok;
    }
    if (entries.length === 0) {
      ctx.out.line(`no audit entries in ${environment}${flag ? ` for ${flag}` : ''}${action ? ` with action ${action}` : ''}`);
      return EXIT.ok;
    }
    const c = ctx.out.c;
    const rows = entries.map((e) => [
      c.dim(isoSeconds(Date.parse(e.at))),
      c.dim(`#${e.id}`),
      e.actor,
      e.action.includes('rollback') || e.action.includes('rolled_back') ? c.red(e.action) : c.cyan(e.action),
      e.target,
      [summarizeDiff(e), e.reason ? `"${e.reason}"` : ''].filter(Boolean).join('  '),
    ]);
    ctx.out.lines(table(rows));
    if (cursor) {
      const filters = Object.entries({ flag, action, actor, since, until }).map(([k, v]) => (v ? ` --${k} ${v}` : ''));
      ctx.out.line(c.dim(`more: rollgate audit --env ${environment} --cursor ${cursor}${filters.join('')}`));
    }
    return EXIT.ok;
  },
};
