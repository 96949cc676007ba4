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

/**
 * What the note says of each merged run: "bins 2–3 merged [65, 90)" where the result numbers the requested
 * bins (summary 1.4.0: 0 below the first requested break, k + 1 above the last), else the interval.
 */
export function mergedBinLabels(histogram: unknown): string[] {
  const h = histogram as { mergedBins?: unknown; requestedBreaks?: unknown } | null;
  const k = Array.isArray(h?.requestedBreaks) ? h.requestedBreaks.length - 1 : 0;
  const name = (i: number) => (i === 0 ? 'below' : k > 0 && i === k + 1 ? 'above' : String(i));
  const edge = (v: unknown, open: string) => (typeof v === 'number' ? String(v) : open);
  const out: string[] = [];
  for (const x of Array.isArray(h?.mergedBins) ? h.mergedBins : []) {
    const o = x as { bins?: unknown; from?: unknown; to?: unknown };
    if (Array.isArray(o?.bins) && typeof o.bins[0] === 'number' && typeof o.bins[1] === 'number')
      out.push(
        `bins ${name(o.bins[0])}–${name(o.bins[1])} merged [${edge(o.from, '−∞')}, ${edge(o.to, '∞')})`,
      );
  }
  if (out.length > 0) return out;
  return mergedIntervals(histogram).map(([a, b]) => `[${a}, ${b})`);
}

export function MergedBinsNote({ column, histogram }: { column: string; histogram: unknown }) {
  const merged = mergedBinLabels(histogram);
  if (merged.length === 0) return null;
  return (
    <p className="muted small" data-testid={`merged-bins-${column}`}>
      {column}: bins merged at the nodes to reach the minimum cell count: {merged.join(', ')}
    </p>
  );
}
