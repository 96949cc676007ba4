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
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type DisclosureCell, release } from '../types.js';

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

export const drlSurvey = defineAlgorithm<DrlSurveyParams>({
  name: 'drl-survey',
  // 1.2.0: facility medians, flags and exclusions only where the study allows per-node breakdowns
  version: '1.2.0',
  title: 'Diagnostic reference level survey',
  description:
    'Facility medians of CTDIvol and DLP per standard exam, patient group and phantom; the DRL is the 75th percentile of the facility medians.',
  paramsSchema: DrlSurveyParamsSchema,
  resultSchema: DrlSurveyResultSchema,
  releases: {
    pooled:
      'per exam, patient group and phantom: number of exams, and the median and quartiles of CTDIvol and DLP each over at least minN values (and the minimum cell count); strata under minN are not mentioned; the DRL of a stratum only where two or more facilities released it',
    perNode: 'facility medians, quartiles and flags',
  },
  variables: (p) => ({
    dataset: p.dataset,
    columns: Object.values(p.columns).filter((c): c is string => typeof c === 'string'),
  }),
  firstInput: () => null,
  async local(ctx, params) {
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
    // what is withheld is not described: a stratum's or quantity's count under minN is itself a small
    // count (and its presence says that someone had that exam here)
    const payload = { ...summary, excluded: [] };
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
    return release(payload as unknown as Json, { subsetSize: n, cells });
  },
  aggregate({ parts, params, releasePerNodeBreakdown }) {
    const releases = parts.map((p) => ({
      ...(p.payload as unknown as FacilityRelease),
      facility: p.nodeName,
    }));
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
    const full = combineDrlSurvey(releases, references);
    // pooled only: the survey DRLs stand, each facility's median and flags stay at home
    const survey =
      releasePerNodeBreakdown === true
        ? full
        : {
            // same shape, empty lists, so that readers of the result need no second form
            results: full.results.map((r) => ({ ...r, facilities: [], excludedFacilities: [] })),
            unreleased: full.unreleased.map((u) => ({ ...u, excludedFacilities: [] })),
            flags: [],
            facilitiesWithheld: true,
          };
    if (releasePerNodeBreakdown !== true) {
      // a DRL from one facility is that facility's median: withheld where per-node results are
      const single = survey.results.filter((r) => r.nFacilities < 2);
      survey.results = survey.results.filter((r) => r.nFacilities >= 2);
      survey.unreleased = [
        ...survey.unreleased,
        ...single.map((r) => ({
          exam: r.exam,
          group: r.group,
          phantom: r.phantom,
          quantity: r.quantity,
          excludedFacilities: [],
        })),
      ];
    }
    return {
      kind: 'done',
      result: {
        algorithm: 'drl-survey',
        method:
          'DRL = 75th percentile (R quantile type 7) of facility medians; facilities under minN exams per stratum withhold it',
        referenceTable: params.useShippedReferences ? DRL_REFERENCE_TABLE_VERSION : null,
        referenceSources: references.map((r) => ({
          id: r.id,
          source: r.source,
          citation: r.citation,
          year: r.year,
        })),
        ...survey,
        nodes: parts.map((p) => p.nodeName),
      } as unknown as Json,
    };
  },
});
