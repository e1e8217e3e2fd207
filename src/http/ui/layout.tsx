import type { Child } from 'hono/jsx';
import type { AdminToken } from '../../settings';
import type { Session } from './session';

/** What every signed-in page knows: who is looking, and the CSRF token its forms carry. */
export interface Viewer {
  session: Session;
  token: AdminToken;
  environments: readonly string[];
}

/** The page frame: navigation, who is signed in, sign-out. */
export function Layout(props: { title: string; viewer?: Viewer | undefined; live?: boolean; children?: Child }) {
  const v = props.viewer;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Rollgate`}</title>
        <link rel="stylesheet" href="/ui/static/app.css" />
        {props.live ? <script src="/ui/static/live.js" defer /> : null}
      </head>
      <body>
        <header>
          <strong>Rollgate</strong>
          {v ? (
            <nav aria-label="main">
              <a href="/ui">Overview</a>
              {v.environments.map((e) => (
                <a href={`/ui/env/${encodeURIComponent(e)}`}>{e}</a>
              ))}
            </nav>
          ) : (
            <nav aria-label="main" />
          )}
          {v ? (
            <form method="post" action="/ui/logout" class="inline">
              <span class="muted">
                {v.session.name} ({v.session.role})
              </span>
              <Csrf viewer={v} />
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main data-live={props.live ? '1' : undefined}>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The hidden CSRF field of every state-changing form. */
export function Csrf(props: { viewer: Viewer }) {
  return <input type="hidden" name="csrf" value={props.viewer.session.csrf} />;
}

/** A time as UTC text, or a dash. */
export function when(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '–' : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

/** A rollout status or verdict as a coloured badge. */
export function Badge(props: { text: string }) {
  const t = props.text;
  const tone = /rolled.back|breached|aborted|broken/.test(t)
    ? 'bad'
    : /healthy|completed/.test(t)
      ? 'good'
      : /held|degraded|paused|insufficient/.test(t)
        ? 'warn'
        : '';
  return <span class={`badge ${tone}`}>{t.replace(/_/g, ' ')}</span>;
}
