/**
 * Subgroup results of `validate`: the same discrimination and calibration measures within each declared level
 * of one categorical column (sex, stage, scanner vendor...), where the study allows subgroup analyses
 * (`releaseSubgroupAnalyses`; the node refuses otherwise).
 *
 * At each node, per declared level (from the data dictionary, never from the data), the records of the level
 * are scored by the same model and their score bins merged exactly as the main release's are (score-merge.ts),
 * so each level releases a score histogram per outcome class, the Brier partial and the sum of predicted
 * probabilities, all secure-aggregated. Every count is declared to the node's release gate.
 *
 * The node releases its subgroup block only when every level passes its policy (at least the minimum subset
 * size of records, every declared count at least the minimum cell count) and so does the rest (the
 * records whose subgroup value is missing): otherwise the main release minus the released levels would give
 * the small level's counts away. A node that cannot release its block sends zeros and counts itself as
 * withholding; the pooled subgroup table is then withheld as a whole (a subgroup pooled over some centres only
 * would describe another population). The number of withholding centres is released, like the number of
 * centres that left out fewer missing records than the minimum.
 *
 * Measures per level: records, events, AUC with DeLong's CI, Brier score, and calibration-in-the-large as the
 * ratio of observed to expected events (O/E = events / sum of predicted probabilities; TRIPOD+AI item
 * "performance in subgroups"). The calibration slope per level is not computed (it would need its own IRLS
 * rounds per level).
 */
import { type ColumnSpec, FedhubError, type Filter } from '@fedhub/protocol';
import { aucFromHistograms, brierLocalPartial } from '@fedhub/stats';
import { declaredLevels } from '../declared-levels.js';
import { type DisclosureCell, type RowIds, rowsAt } from '../types.js';
import { groupMembers, type MergedScores, mergedHistogram, mergeScoreBins } from './score-merge.js';

/** Scores of one selection of records: outcomes and predicted probabilities, aligned. */
export interface SubgroupScores {
  y: Float64Array;
  p: Float64Array;
  /** The node's record id of each record, where the node audits releases (the level's cells name them). */
  rows?: RowIds;
}

/** The filter value of a declared level of `spec` (levels are text in the dictionary). */
function levelValue(spec: ColumnSpec, level: string): string | number | boolean {
  if (spec.type === 'boolean') return level === 'true';
  if (spec.type === 'integer') return Number(level);
  return level;
}

/** The declared levels of the subgroup column; refuses identifiers and columns without declared levels. */
export function subgroupLevels(spec: ColumnSpec): string[] {
  if (spec.identifier)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `subgroup: column "${spec.name}" is a record identifier and cannot define subgroups`,
      { parameter: 'subgroup', column: spec.name },
    );
  return declaredLevels(spec);
}

/** The study's filter narrowed to one level of the subgroup column. */
export function levelFilter(spec: ColumnSpec, level: string, filter: Filter | undefined): Filter {
  const eq: Filter = { column: spec.name, op: 'eq', value: levelValue(spec, level) };
  return filter ? { and: [filter, eq] } : eq;
}

/** Numbers per level in the additive vector: histogram (2 x bins), Brier sum, n, sum of p. */
export const levelBlockSize = (bins: number) => 2 * bins + 3;

/** The node's subgroup block: the additive numbers (levels x block, then 1 if withheld) and its cells. */
export interface SubgroupLocal {
  additive: number[];
  cells: DisclosureCell[];
  /** Whether the block was withheld (zeros sent) because a level or the rest did not pass the policy. */
  withheld: boolean;
}

function passes(count: number, minCell: number): boolean {
  return count === 0 || count >= minCell;
}

/**
 * The node's subgroup block for `levels`, from each level's scores, the main selection's size and events (to
 * check the records outside every level), the score grid and the node's minimum cell count.
 */
export function subgroupLocal(
  levels: string[],
  byLevel: SubgroupScores[],
  main: { n: number; events: number },
  grid: { width: number; bins: number },
  policy: { minCell: number; minSubset: number },
): SubgroupLocal {
  const { minCell, minSubset } = policy;
  const block = levelBlockSize(grid.bins);
  const additive = new Array<number>(levels.length * block + 1).fill(0);
  const cells: DisclosureCell[] = [];
  let ok = true;
  let nIn = 0;
  let eventsIn = 0;
  levels.forEach((_level, k) => {
    const s = byLevel[k]!;
    const n = s.y.length;
    let events = 0;
    for (let i = 0; i < n; i++) events += s.y[i]!;
    nIn += n;
    eventsIn += events;
    if (n === 0) return;
    const merged: MergedScores = mergeScoreBins(s.y, s.p, grid, minCell);
    // the same released values as the main release: each record at its group's mean
    const hist = mergedHistogram(s.y, merged, grid.bins);
    const brier = brierLocalPartial(s.y, merged.p);
    let sumMerged = 0;
    for (let i = 0; i < n; i++) sumMerged += merged.p[i]!;
    const at = k * block;
    for (let b = 0; b < 2 * grid.bins; b++) additive[at + b] = hist[b]!;
    additive[at + 2 * grid.bins] = brier[0]!;
    additive[at + 2 * grid.bins + 1] = n;
    additive[at + 2 * grid.bins + 2] = sumMerged;
    // each cell names its records where the node audits releases, as the main release's cells do: two
    // validations whose level differs by one patient (another subgroup column, a crafted model, a filter)
    // put that patient alone in the span of the released record sets, and the node's ledger refuses the
    // second
    const rows = s.rows;
    const byOutcome: [number[], number[]] = [[], []];
    if (rows) for (let i = 0; i < n; i++) byOutcome[s.y[i] === 1 ? 1 : 0].push(i);
    const members = rows ? groupMembers(merged) : null;
    const rowsOf = (ps: ArrayLike<number>) => (rows ? { rows: rowsAt(rows, ps) } : {});
    const levelCells: DisclosureCell[] = [
      {
        label: `subgroup level ${k + 1}, outcome 1`,
        count: events,
        kind: 'outcome',
        ...rowsOf(byOutcome[1]),
      },
      {
        label: `subgroup level ${k + 1}, outcome 0`,
        count: n - events,
        kind: 'outcome',
        ...rowsOf(byOutcome[0]),
      },
      ...merged.groups.map(
        (g, j): DisclosureCell => ({
          label: `subgroup level ${k + 1}, outcome ${g.outcome}, score bins ${g.from}..${g.to}`,
          count: g.n,
          kind: 'bin',
          ...(members ? rowsOf(members[j]!) : {}),
        }),
      ),
    ];
    // a level is a subset of its own: at least the minimum subset size, like any selection
    if (n < minSubset || levelCells.some((c) => !passes(c.count, minCell))) ok = false;
    cells.push(...levelCells);
  });
  // the records outside every level (missing subgroup value): main minus the levels must pass too
  const restN = main.n - nIn;
  const restEvents = main.events - eventsIn;
  if (
    (restN > 0 && restN < minSubset) ||
    !passes(restEvents, minCell) ||
    !passes(restN - restEvents, minCell)
  )
    ok = false;
  if (!ok) {
    const zeros = new Array<number>(levels.length * block + 1).fill(0);
    zeros[levels.length * block] = 1;
    return { additive: zeros, cells: [], withheld: true };
  }
  return { additive, cells, withheld: false };
}

/**
 * The node's subgroup block for `params.subgroup`: refuses where the study does not allow subgroup analyses;
 * each declared level is scored through `scoreLevel` with the study's filter narrowed to the level.
 */
export async function subgroupBlock(
  opts: {
    allowed: boolean | undefined;
    spec: ColumnSpec;
    filter: Filter | undefined;
    main: { n: number; events: number };
    grid: { width: number; bins: number };
    minCell: number;
    minSubset: number;
  },
  scoreLevel: (filter: Filter, level: string) => Promise<SubgroupScores>,
): Promise<SubgroupLocal & { levels: string[] }> {
  requireSubgroupsAllowed(opts.allowed);
  const levels = subgroupLevels(opts.spec);
  const byLevel: SubgroupScores[] = [];
  for (const level of levels)
    byLevel.push(await scoreLevel(levelFilter(opts.spec, level, opts.filter), level));
  return {
    levels,
    ...subgroupLocal(levels, byLevel, opts.main, opts.grid, {
      minCell: opts.minCell,
      minSubset: opts.minSubset,
    }),
  };
}

/** Refuses a subgroup analysis in a study that does not allow them (no data read, nothing released). */
export function requireSubgroupsAllowed(allowed: boolean | undefined): void {
  if (allowed !== true)
    throw new FedhubError(
      'FH_ERR_OUTSIDE_STUDY',
      'subgroup: the study does not allow subgroup analyses (its releaseSubgroupAnalyses is off)',
      { parameter: 'subgroup', rule: 'subgroup-analyses' },
    );
}

/** One level's pooled measures. */
export type SubgroupRow = {
  level: string;
  n: number;
  events: number;
  auc: number | null;
  aucVariance: number | null;
  aucCiLower: number | null;
  aucCiUpper: number | null;
  brier: number | null;
  observedExpected: number | null;
};

/** The pooled subgroup table (or why it is withheld). */
export type SubgroupResult = {
  column: string;
  levels: SubgroupRow[] | null;
  /** Centres that withheld their subgroup block (a level or the rest under their minimum cell count). */
  centresWithheld: number;
  /** Why `levels` is null, in words. */
  withheldReason?: string;
};

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** The pooled subgroup table from the summed subgroup block of every node. */
export function subgroupPooled(
  column: string,
  levels: string[],
  sum: ArrayLike<number>,
  bins: number,
): SubgroupResult {
  const block = levelBlockSize(bins);
  const centresWithheld = sum[levels.length * block]!;
  if (centresWithheld > 0)
    return {
      column,
      levels: null,
      centresWithheld,
      withheldReason: `${centresWithheld} centre(s) could not release every level of "${column}" under their disclosure policy`,
    };
  const rows = levels.map((level, k): SubgroupRow => {
    const at = k * block;
    const hist = Float64Array.from(Array.prototype.slice.call(sum, at, at + 2 * bins) as number[]);
    const n = sum[at + 2 * bins + 1]!;
    let events = 0;
    for (let b = 0; b < bins; b++) events += hist[bins + b]!;
    const sumP = sum[at + 2 * bins + 2]!;
    const base = { level, n, events };
    if (n === 0)
      return {
        ...base,
        auc: null,
        aucVariance: null,
        aucCiLower: null,
        aucCiUpper: null,
        brier: null,
        observedExpected: null,
      };
    // AUC needs both classes
    const auc = events > 0 && events < n ? aucFromHistograms(hist, bins) : null;
    return {
      ...base,
      auc: auc ? finite(auc.auc) : null,
      aucVariance: auc ? finite(auc.variance) : null,
      aucCiLower: auc ? finite(auc.ciLower) : null,
      aucCiUpper: auc ? finite(auc.ciUpper) : null,
      brier: sum[at + 2 * bins]! / n,
      observedExpected: sumP > 0 ? events / sumP : null,
    };
  });
  return { column, levels: rows, centresWithheld: 0 };
}
