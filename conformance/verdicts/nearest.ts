/**
 * @module verdicts/nearest
 * "Did you mean …?": the closest known name to a mistyped one, for the
 * one-line errors of bad options and baseline entries (exit 2).
 */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate closest to `name` (ties: the first), or undefined when none is reasonably close. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Farther than half the name is not a typo of it.
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(name.length / 2)) ? best : undefined;
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const close = nearest(name, candidates);
  return close === undefined ? '' : `; did you mean ${JSON.stringify(close)}?`;
}
