/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours) between two short words. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, when it is close enough to be a typo (at most a third of the
 * word, and at least one edit), or a candidate that starts with it; else null.
 */
export function closest(input: string, candidates: readonly string[]): string | null {
  const word = input.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  if (best !== null && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
  return word.length >= 3 ? (candidates.find((c) => c.toLowerCase().startsWith(word)) ?? null) : null;
}

/** " (did you mean "x"?)" for a near miss, or "". */
export function didYouMean(input: string, candidates: readonly string[], prefix = ''): string {
  const c = closest(input, candidates);
  return c === null ? '' : `; did you mean "${prefix}${c}"?`;
}
