/** The candidate closest to `name` by edit distance, if it is close enough to be a likely typo. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestPrefix = -1;
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    // The distance is at least the difference in length: one beyond the limit is never the answer.
    if (Math.abs(c.length - lower.length) > limit) continue;
    const d = editDistance(lower, c);
    // At equal distance, the one that shares the longer start: sinn is sin, not sign.
    const p = commonPrefix(lower, c);
    if (d < bestDistance || (d === bestDistance && p > bestPrefix)) {
      best = c;
      bestDistance = d;
      bestPrefix = p;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  if (a.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
