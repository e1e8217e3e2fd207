import type { ConfigChange } from '../../../src/core/config/diff';
import { sameJson } from '../../../src/core/config/diff';
import { pointerSegment } from '../../../src/core/json-pointer';
import { isPlainObject } from '../../../src/core/json';
import type { Paint } from './output';

/** A leaf difference inside a changed flag or section. */
export interface LeafChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** The differences between two JSON values, down to the first field that differs (arrays compared whole). */
export function leafChanges(before: unknown, after: unknown, path = ''): LeafChange[] {
  if (sameJson(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: LeafChange[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const k of keys) {
      const p = `${path}/${pointerSegment(k)}`;
      if (!(k in after)) out.push({ path: p, before: before[k] });
      else if (!(k in before)) out.push({ path: p, after: after[k] });
      else out.push(...leafChanges(before[k], after[k], p));
    }
    return out;
  }
  return [{ path: path || '/', before, after }];
}

/** A JSON value shortened for one line. */
export function short(value: unknown, max = 60): string {
  const s = JSON.stringify(value);
  if (s === undefined) return 'undefined';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Human lines for a per-flag diff. */
export function formatChanges(changes: readonly ConfigChange[], p: Paint): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const name = c.target.startsWith('/') ? `section ${c.target.slice(1)}` : `flag ${c.target}`;
    if (c.change === 'added') lines.push(p.green(`+ ${name} (added)`));
    else if (c.change === 'removed') lines.push(p.red(`- ${name} (removed)`));
    else {
      lines.push(p.yellow(`~ ${name} (changed)`));
      for (const leaf of leafChanges(c.before, c.after)) {
        if (!('before' in leaf)) lines.push(`    ${leaf.path}: ${p.green(`+ ${short(leaf.after)}`)}`);
        else if (!('after' in leaf)) lines.push(`    ${leaf.path}: ${p.red(`- ${short(leaf.before)}`)}`);
        else lines.push(`    ${leaf.path}: ${p.red(short(leaf.before))} → ${p.green(short(leaf.after))}`);
      }
    }
  }
  return lines;
}

/** "2 added, 1 changed, 0 removed". */
export function summarizeChanges(changes: readonly ConfigChange[]): string {
  const n = (k: ConfigChange['change']) => changes.filter((c) => c.change === k).length;
  return `${n('added')} added, ${n('changed')} changed, ${n('removed')} removed`;
}
