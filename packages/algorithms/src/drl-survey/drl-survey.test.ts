import { type DoseRegistryRow, facilityDoseSummary, PATIENT_GROUPS } from '@fedhub/dicom';
import type { Json } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { DrlSurveyParamsSchema, drlSurvey } from './drl-survey.js';
import { layoutOf, medianOneHot, releaseCounts } from './pooled-medians.js';

/** 25 adult chest exams per facility, every one at the facility's CTDIvol, DLP = 40 x CTDIvol. */
function facility(name: string, ctdi: number) {
  const rows: DoseRegistryRow[] = Array.from({ length: 25 }, (_, i) => ({
    examId: `${name}-${i}`,
    exam: 'chest',
    ageYears: 60,
    weightKg: null,
    doses: { body32: { ctdivolMGy: ctdi, dlpMGyCm: 40 * ctdi } },
  }));
  const payload = facilityDoseSummary(rows, { facility: name, minN: 20 });
  return { nodeId: name, nodeName: name, payload: payload as unknown as Json };
}

const parts = [facility('A', 10), facility('B', 20), facility('C', 30), facility('D', 40)];

type Result = {
  results: { quantity: string; drl: number; references: { id: string }[] }[];
  flags: { facility: string; quantity: string; against: string; limit: number }[];
  referenceSources: { id: string; citation: string }[];
  referenceTable: string | null;
};

function run(extra: Record<string, unknown>, releasePerNodeBreakdown = true): Result {
  const params = DrlSurveyParamsSchema.parse({ dataset: 'ct_dose', ...extra });
  if (!releasePerNodeBreakdown) return pooled(params);
  const out = drlSurvey.aggregate({ params, round: 1, state: null, parts, releasePerNodeBreakdown });
  if (out.kind !== 'done') throw new Error('expected a result');
  return out.result as Result;
}

/** The pooled-only rounds, with each facility's vectors as its node builds them (unmasked here). */
function pooled(params: ReturnType<typeof DrlSurveyParamsSchema.parse>): Result {
  const exams = ['chest', 'head'];
  const layout = layoutOf(exams, PATIENT_GROUPS);
  const strata = (p: (typeof parts)[number]) =>
    (p.payload as unknown as { strata: Parameters<typeof releaseCounts>[0] }).strata;
  const first = drlSurvey.aggregate({
    params,
    round: 1,
    state: null,
    parts: parts.map((p) => ({ ...p, payload: { exams, additive: releaseCounts(strata(p), layout) } })),
    releasePerNodeBreakdown: false,
  });
  if (first.kind !== 'next-round') throw new Error('expected a second round');
  const requested = (first.input as { requested: number[] }).requested;
  const out = drlSurvey.aggregate({
    params,
    round: 2,
    state: first.state,
    parts: parts.map((p) => ({ ...p, payload: { additive: medianOneHot(strata(p), layout, requested) } })),
    releasePerNodeBreakdown: false,
  });
  if (out.kind !== 'done') throw new Error('expected a result');
  return out.result as Result;
}

const national = {
  id: 'xx-ndrl-2024-chest',
  source: 'National DRLs of country X (2024)',
  citation: 'Competent authority of X, Table 2, adult CT',
  exam: 'chest',
  phantom: 'body32',
  ctdivol: 25,
  dlp: 1500,
  year: 2024,
};

describe('drl-survey with researcher-supplied reference DRLs', () => {
  it('compares every facility with a supplied national DRL as well as the survey DRL', () => {
    const r = run({ references: [national] });
    const ctdi = r.results.find((x) => x.quantity === 'ctdivol')!;
    // facility medians 10, 20, 30, 40: type-7 75th percentile 32.5
    expect(ctdi.drl).toBe(32.5);
    expect(ctdi.references.map((x) => x.id)).toContain('xx-ndrl-2024-chest');
    const againstNational = r.flags.filter((f) => f.against === 'xx-ndrl-2024-chest');
    // CTDIvol: 30 and 40 exceed 25; DLP: 1600 exceeds 1500, 1200 does not
    expect(againstNational.filter((f) => f.quantity === 'ctdivol').map((f) => f.facility)).toEqual([
      'C',
      'D',
    ]);
    expect(againstNational.filter((f) => f.quantity === 'dlp').map((f) => f.facility)).toEqual(['D']);
    expect(r.referenceSources.find((s) => s.id === national.id)?.citation).toBe(national.citation);
    expect(r.referenceTable).not.toBeNull();
  });

  it('keeps facility medians, flags and exclusions at home unless the study allows per-node breakdowns', () => {
    const open = run({ references: [national] });
    const closed = run({ references: [national] }, false);
    // the same DRLs, from medians on the 2% grid (each within 1%)
    expect(closed.results.map((r) => r.quantity)).toEqual(open.results.map((r) => r.quantity));
    closed.results.forEach((r, i) => {
      expect(Math.abs(r.drl / open.results[i]!.drl - 1)).toBeLessThan(0.01);
    });
    expect(closed.flags).toEqual([]);
    expect(closed).toHaveProperty('facilitiesWithheld', true);
    for (const f of ['A', 'B', 'C', 'D'])
      expect(JSON.stringify(closed.results)).not.toMatch(new RegExp(`"(facility|node)":"${f}"`));
    expect(JSON.stringify(open.results)).toMatch(/"facility":"D"/);
  });

  it('can leave the shipped table out', () => {
    const r = run({ references: [national], useShippedReferences: false });
    expect(r.referenceTable).toBeNull();
    expect(r.referenceSources.map((s) => s.id)).toEqual([national.id]);
    expect(r.flags.every((f) => f.against === 'survey' || f.against === national.id)).toBe(true);
  });

  it('refuses an id that clashes with the shipped table, naming it', () => {
    expect(() => run({ references: [{ ...national, id: 'uk-ndrl-2022-ctpa' }] })).toThrow(
      /uk-ndrl-2022-ctpa/,
    );
  });

  it('rejects a malformed reference row with the path of the field', () => {
    const res = DrlSurveyParamsSchema.safeParse({
      dataset: 'ct_dose',
      references: [{ ...national, phantom: 'body16' }],
    });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.path).toEqual(['references', 0, 'phantom']);
  });
});
