/** Number formatting for tables: fixed units per magnitude so columns stay comparable. */
import type { Timing } from './types';

export function fmtNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(ns < 100 ? 1 : 0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

export function fmtRatio(x: number): string {
  return `${x.toFixed(x < 10 ? 2 : 1)}×`;
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

/** Lowest and highest round median: how far the machine's speed moved during the run. */
export function fmtSpread(t: Timing): string {
  const r = t.roundMediansNs?.length ? t.roundMediansNs : [t.medianNs];
  return `${fmtNs(Math.min(...r))}–${fmtNs(Math.max(...r))}`;
}
