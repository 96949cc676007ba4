/**
 * Which histogram bins the nodes merged to reach the minimum cell count, where the result says so
 * (`histogram.mergedBins`: intervals as [low, high] pairs or {from, to} objects). Read defensively: the
 * merge is the node's, and older results carry no such field.
 */

type Interval = [number, number];

/** The merged intervals of a histogram, or [] when it says none. */
export function mergedIntervals(histogram: unknown): Interval[] {
  const m = (histogram as { mergedBins?: unknown } | null)?.mergedBins;
  if (!Array.isArray(m)) return [];
  const out: Interval[] = [];
  for (const x of m) {
    if (Array.isArray(x) && typeof x[0] === 'number' && typeof x[1] === 'number') out.push([x[0], x[1]]);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const lo = o.from ?? o.lo ?? o.low ?? o.lower;
      const hi = o.to ?? o.hi ?? o.high ?? o.upper;
      if (typeof lo === 'number' && typeof hi === 'number') out.push([lo, hi]);
    }
  }
  return out;
}

export function MergedBinsNote({ column, histogram }: { column: string; histogram: unknown }) {
  const merged = mergedIntervals(histogram);
  if (merged.length === 0) return null;
  return (
    <p className="muted small" data-testid={`merged-bins-${column}`}>
      {column}: bins merged at the nodes to reach the minimum cell count:{' '}
      {merged.map(([a, b]) => `[${a}, ${b})`).join(', ')}
    </p>
  );
}
