/**
 * Subgroup results of `validate`: the same discrimination and calibration measures within each declared level
 * of one categorical column (sex, stage, scanner vendor...), where the study allows subgroup analyses
 * (`releaseSubgroupAnalyses`; the node refuses otherwise).
 *
 * At each node the main release's score groups and every level's are built on one partition of the score
 * grid (common-partition.ts): per outcome class, runs of bins in which every part (each declared level, and
 * the records whose subgroup value is missing) holds zero records or at least the minimum cell count. Each
 * main group is then a union of whole level parts, so the main release and the level releases together
 * determine no set of fewer records than the minimum cell count (the node's linear auditor sees sets it can
 * combine without isolating anyone). Each level releases a score histogram per outcome class, the Brier
 * partial, the sum of predicted probabilities and its calibration GLM partials, all secure-aggregated. Every
 * count is declared to the node's release gate.
 *
 * The node releases its subgroup block only when every level and the rest (the records whose subgroup value
 * is missing) pass its policy (at least the minimum subset size, and a common partition whose every part
 * passes); otherwise the main release minus the released levels would give the small level's counts away.
 * A node that cannot release its block merges its main release on its own, sends zeros and counts itself as
 * withholding; the pooled subgroup table is then withheld as a whole (a subgroup pooled over some centres
 * only would describe another population). The number of withholding centres is released, like the number
 * of centres that left out fewer missing records than the minimum.
 *
 * Measures per level: records, events, AUC with DeLong's CI, Brier score, and calibration-in-the-large as the
 * ratio of observed to expected events (O/E = events / sum of predicted probabilities; TRIPOD+AI item
 * "performance in subgroups"), and the calibration slope and calibration-in-the-large with Wald CIs (R
 * confint.default), fitted per level by federated IRLS in the main release's calibration rounds.
 */
import { type ColumnSpec, FedhubError, type Filter } from '@fedhub/protocol';
import {
  aucFromHistograms,
  brierLocalPartial,
  calibrationInLargeNodeData,
  calibrationSlopeNodeData,
  glmLocalPartial,
} from '@fedhub/stats';
import { declaredLevels } from '../declared-levels.js';
import { type DisclosureCell, type RowIds, rowsAt } from '../types.js';
import { type CommonRun, mergeCommonBins, runPasses } from './common-partition.js';
import {
  binCounts,
  groupMembers,
  leastGroupSize,
  type MergedScores,
  maxSpanBins,
  mergedHistogram,
  mergeOnRuns,
  mergeScoreBins,
  plainRuns,
} from './score-merge.js';

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

/**
 * The node's score groups with `subgroup`: the main release's and every level's, on one partition of the
 * score grid (common-partition.ts), or, where that partition cannot pass the policy, the main release's on
 * its own and the subgroup block withheld.
 */
export interface SubgroupParts {
  levels: string[];
  byLevel: SubgroupScores[];
  /** The main release's merged scores: on the common runs, or merged on its own where withheld. */
  main: MergedScores;
  /** Each level's merged scores on the common runs; null where the block is withheld. */
  merged: MergedScores[] | null;
}

/**
 * The common partition of the main selection (`main`) and its levels (`byLevel`, each a subset of `main`
 * scored by the same model): per outcome class, runs of score bins in which every part (each level, and
 * the records whose subgroup value is missing) holds zero records or at least the minimum cell count. Every
 * main group is then the union of its levels' parts and the missing part, each passing on its own, so the
 * main release and the level releases together determine no set smaller than the minimum cell count.
 * Withheld (main merged on its own) where a level or the missing part is under the minimum subset size, or
 * a run cannot pass within the span (a part of fewer records than the minimum cell count in some class).
 */
export function subgroupParts(
  levels: string[],
  byLevel: SubgroupScores[],
  main: SubgroupScores,
  grid: { width: number; bins: number },
  policy: { minCell: number; minSubset: number },
): SubgroupParts {
  const { minCell, minSubset } = policy;
  const mainCounts = binCounts(main.y, main.p, grid).counts;
  const levelCounts = byLevel.map((s) => binCounts(s.y, s.p, grid).counts);
  // the missing part: the main selection's records outside every level, per (outcome, bin)
  const missing: [Float64Array, Float64Array] = [mainCounts[0].slice(), mainCounts[1].slice()];
  for (const c of levelCounts)
    for (const o of [0, 1] as const)
      for (let b = 0; b < grid.bins; b++) {
        missing[o][b]! -= c[o][b]!;
        if (missing[o][b]! < 0)
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            "validate: a subgroup level's records are not among the validation's records",
          );
      }
  let missingN = 0;
  for (const o of [0, 1] as const) for (const c of missing[o]) missingN += c;
  const sizes = [...byLevel.map((s) => s.y.length), missingN];
  const own = () => ({ levels, byLevel, main: mergeScoreBins(main.y, main.p, grid, minCell), merged: null });
  // a level (or the missing records) is a subset of its own: empty or at least the minimum subset size
  if (sizes.some((n) => n > 0 && n < minSubset)) return own();
  const maxSpan = maxSpanBins(grid);
  // the plain partition of the main selection: the common runs are unions of its whole runs, so the
  // partitions of every validation of this model on this selection (plain, by sex, by stage) nest in it
  const plain = plainRuns(mainCounts, grid, minCell);
  const runsOf = (o: 0 | 1): CommonRun[] => {
    let total = 0;
    for (const c of mainCounts[o]) total += c;
    return mergeCommonBins(
      [...levelCounts.map((c) => c[o]), missing[o]],
      leastGroupSize(total, minCell),
      minCell,
      maxSpan,
      plain[o],
    );
  };
  const runs: [CommonRun[], CommonRun[]] = [runsOf(0), runsOf(1)];
  if (runs.some((rs) => rs.some((r) => !runPasses(r.parts, 1, minCell)))) return own();
  const keep = minCell <= 1;
  return {
    levels,
    byLevel,
    main: mergeOnRuns(main.y, main.p, grid, runs, keep),
    merged: byLevel.map((s) => mergeOnRuns(s.y, s.p, grid, runs, keep)),
  };
}

/** The node's subgroup block: the additive numbers (levels x block, then 1 if withheld) and its cells. */
export interface SubgroupLocal {
  additive: number[];
  cells: DisclosureCell[];
  /** Whether the block was withheld (zeros sent) because a level or the rest did not pass the policy. */
  withheld: boolean;
}

/**
 * Each level's cells: its records per outcome and per (outcome, common run), naming their records where the
 * node audits releases, as the main release's cells do (two validations whose level differs by one patient
 * put that patient alone in the span of the released record sets, and the node's ledger refuses the second).
 */
export function subgroupCells(parts: SubgroupParts): DisclosureCell[] {
  if (!parts.merged) return [];
  return parts.levels.flatMap((_level, k) => {
    const s = parts.byLevel[k]!;
    const merged = parts.merged![k]!;
    const n = s.y.length;
    if (n === 0) return [];
    let events = 0;
    for (let i = 0; i < n; i++) events += s.y[i]!;
    const rows = s.rows;
    const byOutcome: [number[], number[]] = [[], []];
    if (rows) for (let i = 0; i < n; i++) byOutcome[s.y[i] === 1 ? 1 : 0].push(i);
    const members = rows ? groupMembers(merged) : null;
    const rowsOf = (ps: ArrayLike<number>) => (rows ? { rows: rowsAt(rows, ps) } : {});
    return [
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
    ] satisfies DisclosureCell[];
  });
}

/** The node's subgroup block (histogram round) from its score groups. */
export function subgroupLocal(parts: SubgroupParts, grid: { width: number; bins: number }): SubgroupLocal {
  const block = levelBlockSize(grid.bins);
  const additive = new Array<number>(parts.levels.length * block + 1).fill(0);
  if (!parts.merged) {
    additive[parts.levels.length * block] = 1;
    return { additive, cells: [], withheld: true };
  }
  parts.levels.forEach((_level, k) => {
    const s = parts.byLevel[k]!;
    const merged = parts.merged![k]!;
    const n = s.y.length;
    if (n === 0) return;
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
  });
  return { additive, cells: subgroupCells(parts), withheld: false };
}

/** Per level, the hub's coefficients of its calibration fits (null: that level is not fitted). */
export type LevelCalibrationInput = Array<{ slope: number[] | null; large: number[] | null } | null>;

/**
 * The level's calibration GLM partials (slope: y ~ logit(p); in the large: y ~ 1 + offset(logit(p))) at
 * the hub's coefficients, over the level's records at their released scores (sums over the level's
 * cells, which are declared again with them). Levels the hub does not fit send nothing.
 */
export function subgroupCalibrationPartials(parts: SubgroupParts, fits: LevelCalibrationInput): number[] {
  if (!parts.merged)
    throw new FedhubError(
      'FH_ERR_ALGORITHM_FAILED',
      'validate: calibration asked per subgroup level of a node that withheld its subgroup block',
    );
  const out: number[] = [];
  fits.forEach((fit, k) => {
    if (!fit) return;
    const y = parts.byLevel[k]!.y;
    const p = parts.merged![k]!.p;
    const beta = (b: number[] | null) => (b ? Float64Array.from(b) : null);
    out.push(...glmLocalPartial(calibrationSlopeNodeData(y, p), 'binomial', beta(fit.slope)));
    out.push(...glmLocalPartial(calibrationInLargeNodeData(y, p), 'binomial', beta(fit.large)));
  });
  return out;
}

/**
 * The node's score groups for `params.subgroup`: refuses where the study does not allow subgroup analyses;
 * each declared level is scored through `scoreLevel` with the study's filter narrowed to the level.
 */
export async function subgroupBlock(
  opts: {
    allowed: boolean | undefined;
    spec: ColumnSpec;
    filter: Filter | undefined;
    main: SubgroupScores;
    grid: { width: number; bins: number };
    minCell: number;
    minSubset: number;
  },
  scoreLevel: (filter: Filter, level: string) => Promise<SubgroupScores>,
): Promise<SubgroupParts> {
  requireSubgroupsAllowed(opts.allowed);
  const levels = subgroupLevels(opts.spec);
  const byLevel: SubgroupScores[] = [];
  for (const level of levels)
    byLevel.push(await scoreLevel(levelFilter(opts.spec, level, opts.filter), level));
  return subgroupParts(levels, byLevel, opts.main, opts.grid, {
    minCell: opts.minCell,
    minSubset: opts.minSubset,
  });
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
  /** Calibration slope and in the large with Wald 95% CIs (null where not fitted or not converged). */
  calibrationSlope?: number | null;
  calibrationSlopeCiLower?: number | null;
  calibrationSlopeCiUpper?: number | null;
  calibrationInLarge?: number | null;
  calibrationInLargeCiLower?: number | null;
  calibrationInLargeCiUpper?: number | null;
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
