import type { NotificationsResponse } from '../lib/api';
import { expectPositionals, numberOption } from '../lib/args';
import { EXIT } from '../lib/errors';
import { isoSeconds, table } from '../lib/output';
import type { CommandDef } from '../command';

export const notifications: CommandDef = {
  name: 'notifications',
  summary: 'Recent notification deliveries of an environment, with their attempts.',
  usage: ['notifications --env ENV [--failed] [--limit N] [--json]'],
  description: [
    'Webhook deliveries (config: environments[].notifications), newest first: the event, the receiver,',
    'its status (pending, delivered, failed) and every attempt with the HTTP status or error. --failed',
    'keeps those given up and those whose last attempt failed (still retrying).',
  ].join('\n'),
  uses: { target: true, json: true },
  options: {
    failed: { type: 'boolean', description: 'only deliveries given up or whose last attempt failed' },
    limit: { type: 'string', valueName: 'N', description: 'how many deliveries (default 20, at most 500)' },
  },
  examples: ['rollgate notifications --env production', 'rollgate notifications --env production --failed --json'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'notifications', 0, 0, '');
    const limit = numberOption(ctx.values, 'limit', 'notifications', { min: 1, max: 500, integer: true }) ?? 20;
    const failed = ctx.values['failed'] === true;
    const { environment } = ctx.target();
    const client = ctx.client();
    const q = new URLSearchParams({ limit: String(limit), ...(failed ? { failed: 'true' } : {}) });
    const { deliveries } = (await client.get<NotificationsResponse>(client.envPath(environment, `/notifications?${q.toString()}`), { environment })).body;
    if (ctx.json) {
      ctx.out.json({ environment, deliveries });
      return EXIT.ok;
    }
    if (deliveries.length === 0) {
      ctx.out.line(`no ${failed ? 'failed ' : ''}notification deliveries in ${environment}`);
      return EXIT.ok;
    }
    const c = ctx.out.c;
    const paintStatus = (s: string) => (s === 'delivered' ? c.green(s) : s === 'failed' ? c.red(s) : c.yellow(s));
    const rows = deliveries.map((d) => {
      const last = d.attemptLog.at(-1);
      const lastText = last ? (last.status !== null ? `HTTP ${last.status}` : (last.error ?? 'no answer')) : 'not tried yet';
      const next = d.status === 'pending' && d.nextAttemptAt ? ` · next ${isoSeconds(Date.parse(d.nextAttemptAt))}` : '';
      return [
        c.dim(isoSeconds(Date.parse(d.createdAt))),
        d.event,
        d.flag ?? d.target,
        `${d.notification} (${d.origin})`,
        paintStatus(d.status),
        `${d.attempts} attempt${d.attempts === 1 ? '' : 's'} · ${lastText}${next}`,
      ];
    });
    ctx.out.lines(table(rows));
    return EXIT.ok;
  },
};
