/**
 * `dvh-bands`: population DVH bands, the percentiles (e.g. 5/25/50/75/95) across patients of the
 * cumulative DVH (% of the structure receiving at least d) at fixed dose levels, pooled and per centre,
 * from a long differential DVH table (patient, dose, volume: `dvh-extract`'s `differentialOutput` filtered
 * to one structure, or any table in that layout).
 *
 * Disclosure: each node counts its patients' values at every level on a public grid of volume percentages
 * (atoms at 0 and 100 %, one-point cells between) and sends the count table masked for secure aggregation,
 * so the hub learns only the pooled table. Percentiles are read, pooled at the hub and per centre at the
 * node, from the grid's cells merged into contiguous intervals of at least the minimum cell count k, never
 * trimmed to their occupied cells: every released value and its bracket rest on k patients or more, and no
 * band can follow one patient's curve (at a level where one patient stands apart, that patient shares an
 * interval with k - 1 others and the band is spread over it). Each value comes with the bracket that holds
 * the exact pooled (type-7) percentile: the statement of the rounding.
 */
import { DvhBandsResultSchema, FedhubError, type Json } from '@fedhub/protocol';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type DatasetHandle, release } from '../types.js';
import { type BandValue, bandsOf, countInto, cumulativePct, GRID_CELLS } from './band-math.js';

const MAX_LEVELS = 401;

export const DvhBandsParamsSchema = z
  .strictObject({
    dataset: DatasetParam,
    patient: columnParam('key', 'Patient key column (one DVH per patient)', 'patient_pseudonym'),
    dose: columnParam('numeric', 'Dose of the DVH bin (Gy), the bin centre', 'dose_gy'),
    volume: columnParam('numeric', 'Volume of the DVH bin (differential: fraction or cc)', 'volume'),
    binGy: z
      .number()
      .gt(0)
      .max(10)
      .optional()
      .describe("Width of the table's dose bins (Gy); default the smallest gap between a patient's bin doses")
      .meta(examples(1)),
    fromGy: z
      .number()
      .min(0)
      .max(1000)
      .default(0)
      .describe('First dose level at which the bands are read (Gy)')
      .meta(examples(0)),
    toGy: z.number().gt(0).max(1000).default(80).describe('Last dose level (Gy)').meta(examples(70)),
    stepGy: z
      .number()
      .min(0.1)
      .max(100)
      .default(1)
      .describe(`Step between dose levels (Gy); at most ${MAX_LEVELS} levels`)
      .meta(examples(1)),
    probs: z
      .array(z.number().gt(0).lt(1))
      .min(1)
      .max(9)
      .default([0.05, 0.25, 0.5, 0.75, 0.95])
      .describe('Percentiles across patients, strictly between 0 and 1')
      .meta(examples([0.05, 0.25, 0.5, 0.75, 0.95], [0.1, 0.5, 0.9])),
    structure: z
      .string()
      .regex(/^[A-Za-z0-9_~^+-]{1,64}$/)
      .optional()
      .describe(
        'The structure the rows hold (a TG-263 name), shown with the bands; select it with the filter',
      )
      .meta(examples('Lung_L')),
    filter: FilterParam,
  })
  .refine((p) => p.toGy > p.fromGy, { message: 'toGy must be above fromGy', path: ['toGy'] })
  .refine((p) => (p.toGy - p.fromGy) / p.stepGy < MAX_LEVELS, {
    message: `at most ${MAX_LEVELS} dose levels`,
    path: ['stepGy'],
  });
export type DvhBandsParams = z.infer<typeof DvhBandsParamsSchema>;

/** The dose levels of the params: fromGy, fromGy + stepGy, ... up to toGy. */
export function levelsOf(p: DvhBandsParams): number[] {
  const { fromGy, toGy, stepGy } = p;
  const n = Math.floor((toGy - fromGy) / stepGy + 1e-9) + 1;
  return Array.from({ length: n }, (_, i) => Number((fromGy + i * stepGy).toFixed(6)));
}

interface NodePayload {
  minCellCount: number;
  centre?: { patients: number; bands: ReleasedBand[] } | null;
}

interface ReleasedBand {
  prob: number;
  value: Array<number | null>;
  resolution: Array<number | null>;
  lower: Array<number | null>;
  upper: Array<number | null>;
  /** Set when the percentile is too near either end for the number of patients. */
  withheld?: 'FH_ERR_SMALL_CELL';
}

/** Per probability, the level-wise values (0.1 point) and brackets. */
function released(
  probs: readonly number[],
  levels: number,
  bands: Array<Array<BandValue | null> | null>,
): ReleasedBand[] {
  return probs.map((prob, i) => {
    const b = bands[i];
    if (!b) {
      const none = new Array<null>(levels).fill(null);
      return {
        prob,
        value: none,
        resolution: none,
        lower: none,
        upper: none,
        withheld: 'FH_ERR_SMALL_CELL' as const,
      };
    }
    return {
      prob,
      value: b.map((x) => (x ? x.value : null)),
      resolution: b.map((x) => (x ? x.resolution : null)),
      lower: b.map((x) => (x ? x.lower : null)),
      upper: b.map((x) => (x ? x.upper : null)),
    };
  });
}

/** Each patient's cumulative DVH (%) at the levels: one row of `levels.length` values per patient. */
async function readCurves(ds: DatasetHandle, p: DvhBandsParams, levels: number[]): Promise<Float64Array[]> {
  for (const c of [p.dose, p.volume]) {
    const t = ds.column(c).type;
    if (t !== 'numeric' && t !== 'integer')
      throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${c}" is ${t}, not numeric`, { column: c });
  }
  ds.column(p.patient);
  const { data } = await ds.readColumns([p.patient, p.dose, p.volume], p.filter, {
    groupKeys: [p.patient],
  });
  const keyCol = data[p.patient]!;
  const keys = keyCol instanceof Float64Array ? Array.from(keyCol, String) : (keyCol as string[]);
  const dose = data[p.dose] as Float64Array;
  const vol = data[p.volume] as Float64Array;
  const byPatient = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const rows = byPatient.get(k);
    if (rows) rows.push(i);
    else byPatient.set(k, [i]);
  });
  // the table's bin width: given, or the smallest gap between one patient's distinct bin doses
  let bin = p.binGy ?? Number.POSITIVE_INFINITY;
  if (p.binGy === undefined)
    for (const rows of byPatient.values()) {
      const ds = [...new Set(rows.map((i) => dose[i]!))].sort((a, b) => a - b);
      for (let i = 1; i < ds.length; i++)
        if (ds[i]! - ds[i - 1]! > 1e-9) bin = Math.min(bin, ds[i]! - ds[i - 1]!);
    }
  if (!Number.isFinite(bin)) bin = 0;
  // messages name columns, never a patient, a value or a row
  const curves: Float64Array[] = [];
  for (const rows of byPatient.values()) {
    let total = 0;
    for (const i of rows) {
      if (!(dose[i]! >= 0) || !(vol[i]! >= 0))
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `columns "${p.dose}" and "${p.volume}" must hold non-negative numbers`,
        );
      total += vol[i]!;
    }
    if (!(total > 0))
      throw new FedhubError('FH_ERR_BAD_PARAMS', `a patient has no volume in column "${p.volume}"`);
    curves.push(
      cumulativePct(
        rows.map((i) => dose[i]!),
        rows.map((i) => vol[i]!),
        bin,
        levels,
      ),
    );
  }
  return curves;
}

export const dvhBands = defineAlgorithm<DvhBandsParams>({
  name: 'dvh-bands',
  version: '1.0.0',
  title: 'Population DVH bands',
  description:
    'Percentiles across patients (e.g. 5/25/50/75/95) of the cumulative DVH at fixed dose levels, pooled and per centre, from differential DVH tables; each value rests on at least the minimum cell count of patients and comes with the bracket that holds the exact pooled percentile.',
  paramsSchema: DvhBandsParamsSchema,
  resultSchema: DvhBandsResultSchema,
  releases: {
    pooled:
      "per dose level, how many patients' cumulative DVH values fall in each cell of a public grid of volume percentages (secure-aggregated: the hub sees only totals); released are percentiles read from cells merged to at least the minimum cell count, with their brackets",
    perNode:
      "where the study allows per-centre results: each centre's percentiles and brackets, read at the node from its own cells merged to at least its minimum cell count",
  },
  variables: (p) => ({ dataset: p.dataset, columns: [p.patient, p.dose, p.volume] }),
  firstInput: () => ({}),
  async local(ctx, params) {
    const levels = levelsOf(params);
    const curves = await readCurves(await ctx.dataset(params.dataset), params, levels);
    const table = new Float64Array(levels.length * GRID_CELLS);
    for (const c of curves) countInto(table, c);
    const k = ctx.policy.minCellCount;
    const payload: Record<string, Json> = {
      [ADDITIVE_FIELD]: Array.from(table),
      minCellCount: k,
    };
    const cells: Array<{ label: string; count: number; kind: 'bin' | 'records' }> = [
      { label: 'patients', count: curves.length, kind: 'records' },
    ];
    if (ctx.releasePerNodeBreakdown === true) {
      const own = bandsOf(table, levels.length, params.probs, k);
      // the patients within each released value's rounding interval (k or more by construction)
      own.cells.forEach((count, i) => {
        cells.push({ label: `rounding interval ${i + 1} of the centre's bands`, count, kind: 'bin' });
      });
      payload.centre = {
        patients: curves.length,
        bands: released(params.probs, levels.length, own.bands),
      } as unknown as Json;
    }
    return release(payload as Json, { subsetSize: curves.length, cells, additiveLayout: 'declared' });
  },
  aggregate({ params, parts, releasePerNodeBreakdown }) {
    const levels = levelsOf(params);
    const sum = sumAdditive(parts);
    if (sum.length !== levels.length * GRID_CELLS)
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'DVH band counts have the wrong length');
    const payloads = parts.map((p) => p.payload as unknown as NodePayload);
    const k = Math.max(...payloads.map((p) => p.minCellCount));
    const pooled = bandsOf(sum, levels.length, params.probs, k);
    if (pooled.n < k)
      throw new FedhubError('FH_ERR_SMALL_CELL', `population DVH bands need at least ${k} patients in all`, {
        minimum: k,
      });
    const centres =
      releasePerNodeBreakdown === true
        ? parts
            .map((p, i) => ({
              node: p.nodeName,
              ...(payloads[i]!.centre ?? { patients: null, bands: null }),
            }))
            .sort((a, b) => a.node.localeCompare(b.node))
        : null;
    return {
      kind: 'done',
      result: {
        algorithm: 'dvh-bands',
        structure: params.structure ?? null,
        probs: params.probs,
        doseGy: levels,
        gridPct: 1,
        minCellCount: k,
        pooled: { patients: pooled.n, bands: released(params.probs, levels.length, pooled.bands) },
        centres,
        nodes: parts.map((p) => p.nodeName).sort(),
      } as unknown as Json,
    };
  },
});
