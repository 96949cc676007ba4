/**
 * Labels along one axis that must not overlap (reference lines on a DRL chart, curve end labels): each
 * label wants a position; they are pushed apart to at least `gap` px, staying inside [min, max] and in
 * their wanted order. Written by hand (a one-dimensional pass, no layout library needed).
 */

/** The laid-out positions, in the order of `wanted`. */
export function spreadLabels(wanted: readonly number[], gap: number, min: number, max: number): number[] {
  const order = wanted.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v || a.i - b.i);
  const pos = order.map((o) => Math.min(max, Math.max(min, o.v)));
  // forward pass: push right
  for (let k = 1; k < pos.length; k++) pos[k] = Math.max(pos[k] as number, (pos[k - 1] as number) + gap);
  // backward pass: pull back inside max, pushing left
  if (pos.length > 0 && (pos.at(-1) as number) > max) {
    pos[pos.length - 1] = max;
    for (let k = pos.length - 2; k >= 0; k--)
      pos[k] = Math.min(pos[k] as number, (pos[k + 1] as number) - gap);
  }
  const out = new Array<number>(wanted.length);
  order.forEach((o, k) => {
    out[o.i] = pos[k] as number;
  });
  return out;
}

/** Whether any two of the positions are closer than `gap` (for tests and assertions). */
export function overlaps(positions: readonly number[], gap: number): boolean {
  const s = [...positions].sort((a, b) => a - b);
  return s.some((v, i) => i > 0 && v - (s[i - 1] as number) < gap - 1e-9);
}
