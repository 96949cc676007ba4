/**
 * `drl-survey`: a national diagnostic-reference-level survey as a federated query (ICRP 135, Euratom
 * 2013/59). Each node releases, per standard exam x patient group x CTDI phantom, only its exam count and
 * the median and quartiles of per-exam CTDIvol and DLP, and only where it holds at least `minN` exams; the
 * aggregator sets each DRL at the 75th percentile (R type 7) of the facility medians and compares every
 * facility with it and with the shipped reference DRLs. Head (16 cm) and body (32 cm) phantoms never mix.
 */
import {
  combineDrlSurvey,
  DEFAULT_MIN_N,
  type DoseRegistryRow,
  DRL_REFERENCE_TABLE,
  DRL_REFERENCE_TABLE_VERSION,
  type DrlReferenceRow,
  type FacilityRelease,
  facilityDoseSummary,
  PATIENT_GROUPS,
  type PatientGroup,
} from '@fedhub/dicom/drl';
import { DrlSurveyResultSchema, FedhubError, type Json } from '@fedhub/protocol';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { declaredLevels } from '../declared-levels.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type DisclosureCell, type LocalContext, release } from '../types.js';
import {
  DRL_MIN_FACILITIES,
  GRID_RATIO,
  layoutOf,
  MEDIAN_MIN_FACILITIES,
  medianOneHot,
  pooledDrls,
  releaseCounts,
  strataToRelease,
} from './pooled-medians.js';

/** A reference DRL a researcher supplies (e.g. a national table not shipped with fedhub), with its source. */
const DrlReferenceRowParam = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/)
    .describe('Stable id used in flags, e.g. de-bfs-2022-head'),
  source: z.string().min(1).max(200),
  citation: z.string().min(1).max(2000).describe('Where the value is published'),
  exam: z.string().min(1).max(80).describe('Standard exam id of the node registries'),
  indication: z.string().max(200).nullable().default(null),
  group: z.enum(PATIENT_GROUPS as [PatientGroup, ...PatientGroup[]]).default('adult'),
  phantom: z.enum(['head16', 'body32']),
  ctdivol: z.number().positive().nullable().describe('CTDIvol DRL in mGy, or null'),
  dlp: z.number().positive().nullable().describe('DLP DRL in mGy.cm per examination, or null'),
  year: z.int().min(1990).max(2100),
});

export const DrlSurveyParamsSchema = z.strictObject({
  dataset: DatasetParam.describe('The node dose registry: one row per examination'),
  minN: z
    .int()
    .min(5)
    .max(10000)
    .default(DEFAULT_MIN_N)
    .describe('Minimum exams per stratum for a facility to release it')
    .meta(examples(DEFAULT_MIN_N)),
  filter: FilterParam,
  references: z
    .array(DrlReferenceRowParam)
    .max(500)
    .optional()
    .describe(
      'Reference DRLs to compare facilities with, besides the shipped table: e.g. your national DRLs, each with its citation',
    )
    .meta(
      examples([
        {
          id: 'de-bfs-2022-head',
          source: 'BfS 2022',
          citation: 'Bundesamt für Strahlenschutz, Diagnostische Referenzwerte (2022)',
          exam: 'ct-head',
          group: 'adult',
          phantom: 'head16',
          ctdivol: 60,
          dlp: 850,
          year: 2022,
        },
      ]),
    ),
  useShippedReferences: z
    .boolean()
    .default(true)
    .describe('Compare with the shipped reference table (UK NDRL 2022) as well')
    .meta(examples(true)),
  columns: z
    .strictObject({
      exam: columnParam('categorical', 'Standard exam id', 'exam').default('exam'),
      phantom: columnParam('categorical', 'CTDI phantom (head16 or body32)', 'phantom').default('phantom'),
      age: columnParam('numeric', 'Patient age (years)', 'age').default('age'),
      weight: columnParam('numeric', 'Patient weight (kg)', 'weight_kg').optional(),
      ctdivol: columnParam('numeric', 'CTDIvol (mGy)', 'ctdivol_mgy').default('ctdivol_mgy'),
      dlp: columnParam('numeric', 'DLP (mGy.cm)', 'dlp_mgycm').default('dlp_mgycm'),
    })
    .default({ exam: 'exam', phantom: 'phantom', age: 'age', ctdivol: 'ctdivol_mgy', dlp: 'dlp_mgycm' })
    .describe('Which registry columns hold the exam, phantom, age, weight, CTDIvol and DLP')
    .meta(
      examples({ exam: 'exam', phantom: 'phantom', age: 'age', ctdivol: 'ctdivol_mgy', dlp: 'dlp_mgycm' }),
    ),
});
export type DrlSurveyParams = z.infer<typeof DrlSurveyParamsSchema>;

function phantomOf(v: string): 'head16' | 'body32' | null {
  const s = v.trim().toLowerCase();
  if (s === '16' || s === 'head16' || s === 'head') return 'head16';
  if (s === '32' || s === 'body32' || s === 'body') return 'body32';
  return null;
}

type Input = null | { phase: 'counts' } | { phase: 'medians'; requested: number[] };

interface PooledState {
  exams: string[];
  counts: number[];
  requested: number[];
  tooFew: number[];
}

const GRID_RATIO_TEXT = `${Math.round((GRID_RATIO - 1) * 100)}%`;

/** The facility's summary per stratum (median and quartiles over at least minN values), once per task. */
async function facilitySummary(ctx: LocalContext, params: DrlSurveyParams) {
  const hit = ctx.cache.get('drl:summary') as
    | { summary: ReturnType<typeof facilityDoseSummary>; n: number }
    | undefined;
  if (hit) return hit;
  const ds = await ctx.dataset(params.dataset);
  const c = params.columns;
  const cols = [c.exam, c.phantom, c.age, c.ctdivol, c.dlp, ...(c.weight ? [c.weight] : [])];
  const { n, data } = await ds.readColumns(cols, params.filter, {
    allowMissing: [c.age, c.ctdivol, c.dlp, ...(c.weight ? [c.weight] : [])],
  });
  const text = (col: string) => {
    const v = data[col]!;
    return v instanceof Float64Array ? Array.from(v, String) : (v as string[]);
  };
  const exams = text(c.exam);
  const phantoms = text(c.phantom);
  const age = data[c.age] as Float64Array;
  const weight = c.weight ? (data[c.weight] as Float64Array) : null;
  const ctdi = data[c.ctdivol] as Float64Array;
  const dlp = data[c.dlp] as Float64Array;
  const rows: DoseRegistryRow[] = [];
  for (let i = 0; i < n; i++) {
    const ph = phantomOf(phantoms[i]!);
    if (!ph)
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `column "${c.phantom}" holds "${phantoms[i]}": expected 16/32 (or head16/body32)`,
        { column: c.phantom },
      );
    const num = (x: number) => (Number.isFinite(x) ? x : null);
    rows.push({
      examId: String(i),
      exam: exams[i]!,
      ageYears: num(age[i]!),
      weightKg: weight ? num(weight[i]!) : null,
      doses: { [ph]: { ctdivolMGy: num(ctdi[i]!), dlpMGyCm: num(dlp[i]!) } },
    });
  }
  const summary = facilityDoseSummary(rows, { facility: ctx.node.name, minN: params.minN });
  const out = { summary, n };
  ctx.cache.set('drl:summary', out);
  return out;
}

export const drlSurvey = defineAlgorithm<DrlSurveyParams>({
  name: 'drl-survey',
  // 1.2.0: facility medians, flags and exclusions only where the study allows per-node breakdowns
  // 1.3.0: pooled only, no facility median leaves a node in the clear (masked counts, then a masked
  // histogram of the medians on a 2% grid); a DRL from at least 3 facilities
  version: '1.3.0',
  title: 'Diagnostic reference level survey',
  description:
    'Facility medians of CTDIvol and DLP per standard exam, patient group and phantom; the DRL is the 75th percentile of the facility medians.',
  paramsSchema: DrlSurveyParamsSchema,
  resultSchema: DrlSurveyResultSchema,
  releases: {
    pooled:
      'per exam, patient group and phantom on the declared exam levels (secure-aggregated): the number of facilities releasing each quantity (at least minN values and the minimum cell count) and their values, then the histogram of the facility medians on a 2% logarithmic grid; the DRL (75th percentile of the medians) only where at least 3 facilities released the stratum, the median of the medians from 5',
    perNode: 'facility medians, quartiles and flags (then sent in the clear)',
  },
  variables: (p) => ({
    dataset: p.dataset,
    columns: Object.values(p.columns).filter((c): c is string => typeof c === 'string'),
  }),
  firstInput: () => null,
  async local(ctx, params, raw) {
    const input = raw as unknown as Input;
    const ds = await ctx.dataset(params.dataset);
    // pooled only: the masked layout is the dictionary's declared exams (checked before any data is read)
    const exams =
      ctx.releasePerNodeBreakdown === true ? null : declaredLevels(ds.column(params.columns.exam));
    const { summary, n } = await facilitySummary(ctx, params);
    // every count behind a released number: the stratum's exams, and the values each median and quartile
    // is computed from (exams with a missing dose do not count), and the rows in no patient group
    const cells: DisclosureCell[] = [
      { label: 'rows without a patient group', count: summary.rowsWithoutGroup, kind: 'missing' },
    ];
    for (const s of summary.strata) {
      const at = `${s.exam}/${s.group}/${s.phantom}`;
      cells.push({ label: `${at} exams`, count: s.nExams, kind: 'stratum' });
      if (s.ctdivol) cells.push({ label: `${at} CTDIvol values`, count: s.ctdivol.n, kind: 'stratum' });
      if (s.dlp) cells.push({ label: `${at} DLP values`, count: s.dlp.n, kind: 'stratum' });
    }
    if (exams === null) {
      // the study allows per-node results: the facility's medians and quartiles go in the clear
      // what is withheld is not described: a stratum's or quantity's count under minN is itself a small
      // count (and its presence says that someone had that exam here)
      return release({ ...summary, excluded: [] } as unknown as Json, { subsetSize: n, cells });
    }
    const layout = layoutOf(exams, PATIENT_GROUPS);
    const strata = summary.strata as unknown as Parameters<typeof releaseCounts>[0];
    if (input === null || input.phase === 'counts')
      return release({ exams, [ADDITIVE_FIELD]: releaseCounts(strata, layout) } as unknown as Json, {
        subsetSize: n,
        cells,
        additiveLayout: 'declared',
      });
    return release({ [ADDITIVE_FIELD]: medianOneHot(strata, layout, input.requested) } as unknown as Json, {
      subsetSize: n,
      cells,
      additiveLayout: 'declared',
    });
  },

  aggregate({ parts, params, releasePerNodeBreakdown, round, state }) {
    const references: DrlReferenceRow[] = [
      ...(params.useShippedReferences ? DRL_REFERENCE_TABLE : []),
      ...(params.references ?? []),
    ];
    const ids = new Set<string>();
    for (const r of references) {
      if (ids.has(r.id))
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `references: id "${r.id}" appears twice (or clashes with the shipped table)`,
          {
            id: r.id,
          },
        );
      ids.add(r.id);
    }
    const header = {
      algorithm: 'drl-survey',
      referenceTable: params.useShippedReferences ? DRL_REFERENCE_TABLE_VERSION : null,
      referenceSources: references.map((r) => ({
        id: r.id,
        source: r.source,
        citation: r.citation,
        year: r.year,
      })),
    };
    if (releasePerNodeBreakdown !== true) {
      // pooled only: masked counts (round 1), then the masked histogram of medians (round 2)
      if (round === 1) {
        const exams = (parts[0]!.payload as { exams: string[] }).exams;
        for (const p of parts)
          if (JSON.stringify((p.payload as { exams: unknown }).exams) !== JSON.stringify(exams))
            throw new FedhubError(
              'FH_ERR_ALGORITHM_FAILED',
              "the nodes' dictionaries declare different exams: the masked layouts differ",
            );
        const counts = sumAdditive(parts);
        const { release: requested, tooFew } = strataToRelease(counts);
        const next: PooledState = { exams, counts: Array.from(counts), requested, tooFew };
        return {
          kind: 'next-round',
          input: { phase: 'medians', requested } as Json,
          state: next as unknown as Json,
        };
      }
      const st = state as unknown as PooledState;
      const layout = layoutOf(st.exams, PATIENT_GROUPS);
      const drls = pooledDrls(sumAdditive(parts), layout, st.requested, Float64Array.from(st.counts));
      const results = drls.map((d) => ({
        ...d,
        facilities: [],
        excludedFacilities: [],
        references: references.filter(
          (ref) =>
            ref.exam === d.exam &&
            ref.group === d.group &&
            ref.phantom === d.phantom &&
            ref[d.quantity] !== null,
        ),
      }));
      return {
        kind: 'done',
        result: {
          ...header,
          method: `DRL = 75th percentile (R quantile type 7) of facility medians, each on a logarithmic grid of ${GRID_RATIO_TEXT} steps, from at least ${DRL_MIN_FACILITIES} facilities (the median of the medians from ${MEDIAN_MIN_FACILITIES}); medians secure-aggregated as a histogram: no facility's median is released as that facility's`,
          results,
          unreleased: st.tooFew.map((i) => {
            const l = layout[i]!;
            return {
              exam: l.exam,
              group: l.group,
              phantom: l.phantom,
              quantity: l.quantity,
              excludedFacilities: [],
            };
          }),
          flags: [],
          facilitiesWithheld: true,
          nodes: parts.map((p) => p.nodeName),
        } as unknown as Json,
      };
    }
    const releases = parts.map((p) => ({
      ...(p.payload as unknown as FacilityRelease),
      facility: p.nodeName,
    }));
    const survey = combineDrlSurvey(releases, references);
    return {
      kind: 'done',
      result: {
        ...header,
        method:
          'DRL = 75th percentile (R quantile type 7) of facility medians; facilities under minN exams per stratum withhold it',
        ...survey,
        nodes: parts.map((p) => p.nodeName),
      } as unknown as Json,
    };
  },
});
