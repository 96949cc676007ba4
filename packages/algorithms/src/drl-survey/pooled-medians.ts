/**
 * The pooled-only DRL survey: the survey's diagnostic reference levels (ICRP 135: the 75th percentile of
 * the facility medians) computed without any facility median reaching the hub or the researcher as that
 * facility's.
 *
 * Round 1: each node sends, masked (secure aggregation), per stratum (exam x patient group x phantom, on
 * the dictionary's declared exam levels: a layout read from no data) and dose quantity, whether it
 * releases the stratum (1/0: at least minN values) and how many values its median stands on. The hub
 * learns only the number of releasing facilities and their total values per stratum.
 * Round 2: for the strata that at least {@link DRL_MIN_FACILITIES} facilities release, each node sends,
 * masked, a one-hot vector of its median on a logarithmic grid ({@link GRID_RATIO}: 2% steps, at most
 * 1% from the median). The sum is the histogram of facility medians: the hub learns the medians of the
 * stratum as a multiset (which facility holds which is hidden), and the researcher only the DRL, the
 * number of facilities and values, and the median of the medians where at least
 * {@link MEDIAN_MIN_FACILITIES} facilities release (with fewer, the 50th and 75th percentiles together
 * would give single medians away: with 3, 2 x DRL - median is the largest facility's median).
 *
 * Written by hand: the layout and grid are this protocol's own.
 */
import { quantileType7 } from '@fedhub/dicom/drl';
import { FedhubError } from '@fedhub/protocol';

/** Facilities a stratum needs before its DRL is released (the node floor's default). */
export const DRL_MIN_FACILITIES = 3;
/** Facilities a stratum needs before the median of the facility medians is released too. */
export const MEDIAN_MIN_FACILITIES = 5;
/** Ratio of consecutive grid values: medians are released to within 1% (DRLs are quoted to 2 figures). */
export const GRID_RATIO = 1.02;
const QUANTITIES = ['ctdivol', 'dlp'] as const;
export type Quantity = (typeof QUANTITIES)[number];
/** Lowest grid value per quantity (mGy, mGy.cm); the grid spans six decades above it. */
const GRID_FLOOR: Record<Quantity, number> = { ctdivol: 0.01, dlp: 0.1 };
export const GRID_BINS = Math.ceil(Math.log(1e6) / Math.log(GRID_RATIO)) + 1;

export interface LayoutStratum {
  exam: string;
  group: string;
  phantom: 'head16' | 'body32';
}

/** Every stratum x quantity of the declared layout, in a fixed order (exam, group, phantom, quantity). */
export function layoutOf(
  exams: readonly string[],
  groups: readonly string[],
): Array<LayoutStratum & { quantity: Quantity }> {
  const out: Array<LayoutStratum & { quantity: Quantity }> = [];
  for (const exam of [...exams].sort())
    for (const group of groups)
      for (const phantom of ['head16', 'body32'] as const)
        for (const quantity of QUANTITIES) out.push({ exam, group, phantom, quantity });
  return out;
}

const keyOf = (s: LayoutStratum) => `${s.exam}\u0000${s.group}\u0000${s.phantom}`;

/** The grid bin of a median. */
export function gridBin(quantity: Quantity, v: number): number {
  if (!(v > 0)) return 0;
  const b = Math.round(Math.log(v / GRID_FLOOR[quantity]) / Math.log(GRID_RATIO));
  return Math.min(GRID_BINS - 1, Math.max(0, b));
}

/** The grid value of a bin (rounded to 4 significant figures, as released). */
export function gridValue(quantity: Quantity, b: number): number {
  return Number((GRID_FLOOR[quantity] * GRID_RATIO ** b).toPrecision(4));
}

interface NodeStratum extends LayoutStratum {
  ctdivol: { n: number; median: number } | null;
  dlp: { n: number; median: number } | null;
}

/** The node's round-1 vector: per layout entry, 1 where it releases the median, and its number of values. */
export function releaseCounts(
  strata: readonly NodeStratum[],
  layout: ReadonlyArray<LayoutStratum & { quantity: Quantity }>,
): number[] {
  const mine = new Map(strata.map((s) => [keyOf(s), s]));
  const known = new Set(layout.map(keyOf));
  for (const s of strata)
    if (!known.has(keyOf(s)))
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        'an exam or patient group outside the declared levels: the masked layout cannot hold it',
      );
  return layout.flatMap((l) => {
    const q = mine.get(keyOf(l))?.[l.quantity];
    return q ? [1, q.n] : [0, 0];
  });
}

/** The node's round-2 vector: for each requested layout entry, the one-hot grid bin of its median. */
export function medianOneHot(
  strata: readonly NodeStratum[],
  layout: ReadonlyArray<LayoutStratum & { quantity: Quantity }>,
  requested: readonly number[],
): number[] {
  const mine = new Map(strata.map((s) => [keyOf(s), s]));
  const out = new Array<number>(requested.length * GRID_BINS).fill(0);
  requested.forEach((at, j) => {
    const l = layout[at]!;
    const q = mine.get(keyOf(l))?.[l.quantity];
    if (q) out[j * GRID_BINS + gridBin(l.quantity, q.median)] = 1;
  });
  return out;
}

/** The layout entries whose summed release counts reach the facility floor, and those that do not. */
export function strataToRelease(sum: Float64Array): { release: number[]; tooFew: number[] } {
  const release: number[] = [];
  const tooFew: number[] = [];
  for (let i = 0; i < sum.length / 2; i++) {
    const f = sum[2 * i]!;
    if (f >= DRL_MIN_FACILITIES) release.push(i);
    else if (f > 0) tooFew.push(i);
  }
  return { release, tooFew };
}

/** DRL and (from enough facilities) the median of the facility medians, from the summed histograms. */
export function pooledDrls(
  sum: Float64Array,
  layout: ReadonlyArray<LayoutStratum & { quantity: Quantity }>,
  requested: readonly number[],
  counts: Float64Array,
) {
  return requested.map((at, j) => {
    const l = layout[at]!;
    const medians: number[] = [];
    for (let b = 0; b < GRID_BINS; b++) {
      const c = Math.round(sum[j * GRID_BINS + b]!);
      for (let k = 0; k < c; k++) medians.push(gridValue(l.quantity, b));
    }
    const nFacilities = medians.length;
    return {
      ...l,
      unit: l.quantity === 'ctdivol' ? 'mGy' : 'mGy.cm',
      nFacilities,
      nValues: counts[2 * at + 1]!,
      drl: quantileType7(medians, 0.75),
      medianOfMedians: nFacilities >= MEDIAN_MIN_FACILITIES ? quantileType7(medians, 0.5) : null,
      gridRatio: GRID_RATIO,
    };
  });
}
