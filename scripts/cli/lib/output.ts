import { stripVTControlCharacters, styleText } from 'node:util';
import type { CliIo, OutStream } from './io';
import { formatMs, grouped } from '../../../src/core/numbers';

/** ANSI styles, or identity functions when colour is off. */
export interface Paint {
  enabled: boolean;
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** Colour only on a TTY and when NO_COLOR is unset (https://no-color.org: any non-empty value). */
export function colourEnabled(stream: OutStream, env: Readonly<Record<string, string | undefined>>): boolean {
  const noColor = env['NO_COLOR'];
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

export function paint(enabled: boolean): Paint {
  // Whether to colour is decided here (TTY, NO_COLOR), so styleText must not check the stream again.
  const wrap = (format: Parameters<typeof styleText>[0]) => (s: string) => (enabled ? styleText(format, s, { validateStream: false }) : s);
  return {
    enabled,
    bold: wrap('bold'),
    dim: wrap('dim'),
    red: wrap('red'),
    green: wrap('green'),
    yellow: wrap('yellow'),
    cyan: wrap('cyan'),
  };
}

/** The text as a terminal shows it: escape sequences (colours, cursor moves) removed. */
export function visibleText(text: string): string {
  return stripVTControlCharacters(text);
}

/** Writes lines to stdout/stderr with the colours each stream allows. */
export class Output {
  readonly c: Paint;
  readonly e: Paint;

  constructor(readonly io: CliIo) {
    this.c = paint(colourEnabled(io.stdout, io.env));
    this.e = paint(colourEnabled(io.stderr, io.env));
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  lines(texts: readonly string[]): void {
    for (const t of texts) this.line(t);
  }

  /** Stable JSON on stdout, two-space indented. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Progress and notes go to stderr so that stdout stays clean for --json and pipes. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.e.yellow('warning:')} ${text}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${this.e.red('error:')} ${text}\n`);
  }
}

/** A duration for people: "45s", "12m 5s", "3h 20m", "2d 4h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "in 3h 20m" / "2m ago" relative to now. */
export function relative(atMs: number, now: number): string {
  const diff = atMs - now;
  return diff >= 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

/** An ISO time without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A fraction (0.0123) as "1.23%". */
export function pct(fraction: number | undefined): string {
  if (fraction === undefined) return '–';
  const p = fraction * 100;
  return `${p === 0 ? '0' : p < 0.01 ? p.toPrecision(1) : Number(p.toFixed(2)).toString()}%`;
}

/** Milliseconds as "180 ms". */
export function ms(value: number | undefined): string {
  return value === undefined ? '–' : formatMs(value);
}

/** An integer with thousands separators. */
export function count(value: number | undefined): string {
  return value === undefined ? '–' : grouped(value);
}

/** Pads plain text to a width (ignoring ANSI codes when measuring). */
export function pad(text: string, width: number): string {
  const visible = visibleText(text).length;
  return visible >= width ? text : text + ' '.repeat(width - visible);
}

/** Aligns rows of cells into columns. */
export function table(rows: readonly (readonly string[])[], gap = 2): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleText(cell).length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]! + gap)))
      .join('')
      .trimEnd(),
  );
}
