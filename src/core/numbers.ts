/** Numbers as Rollgate prints them to people (CLI, dashboard, audit, webhooks): the same in every locale, no float noise. */

/** A number for people: three significant digits below 100, whole numbers above, no float noise. */
export function readable(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return String(Math.abs(n) >= 100 ? Math.round(n) : Number(n.toPrecision(3)));
}

/** A traffic percentage (0–100) as text, e.g. "10%". */
export function formatPercent(percent: number): string {
  return `${readable(percent)}%`;
}

/** A rate given as a fraction (0.023) as a percentage, e.g. "2.3%". */
export function formatRate(fraction: number): string {
  return formatPercent(fraction * 100);
}

/** An integer with thousands separators, e.g. 59,300 (the same in every locale). */
export function grouped(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n);
}

/** Milliseconds as text, e.g. "180 ms", "2.35 ms". */
export function formatMs(value: number): string {
  return `${readable(value)} ms`;
}

/** The latest time (ms) a JS Date holds; a time beyond it has no ISO form. */
export const MAX_DATE_MS = 8.64e15;
