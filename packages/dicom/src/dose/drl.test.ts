import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { combineDrlSurvey, facilityDoseSummary } from './drl.js';
import { DRL_REFERENCE_TABLE, type DrlReferenceRow } from './drl-reference-table.js';
import type { DoseRegistryRow } from './exam-dose.js';
import { patientGroupsOf } from './patient-groups.js';
import { quantileType7 } from './quantile.js';

// Numbers computed by R (stats::quantile type 7, median) with fixtures/dose/drl-reference.R.
const FIX = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/dose/drl-reference.json',
);
interface RRow {
  facility: string;
  examId: string;
  exam: string;
  phantom: 'head16' | 'body32';
  ageYears: number;
  weightKg: number | null;
  ctdivol: number;
  dlp: number;
}
/** R results are written as "%.17g" strings so that they round-trip exactly. */
interface RSum {
  median: string;
  q1: string;
  q3: string;
}
const ref = JSON.parse(readFileSync(FIX, 'utf8')) as {
  minN: number;
  rows: RRow[];
  strata: {
    facility: string;
    exam: string;
    group: string;
    phantom: string;
    n: number;
    ctdivol: RSum;
    dlp: RSum;
  }[];
  survey: {
    exam: string;
    group: string;
    phantom: string;
    quantity: 'ctdivol' | 'dlp';
    nFacilities: number;
    drl: string;
  }[];
  simple: { medians: number[]; q75: number };
};
const num = (s: RSum) => ({ median: Number(s.median), q1: Number(s.q1), q3: Number(s.q3) });

const registry = (facility: string): DoseRegistryRow[] =>
  ref.rows
    .filter((r) => r.facility === facility)
    .map((r) => ({
      examId: r.examId,
      exam: r.exam,
      ageYears: r.ageYears,
      weightKg: r.weightKg,
      doses: { [r.phantom]: { ctdivolMGy: r.ctdivol, dlpMGyCm: r.dlp } },
    }));
const facilities = [...new Set(ref.rows.map((r) => r.facility))];
const releases = facilities.map((f) => facilityDoseSummary(registry(f), { facility: f, minN: ref.minN }));

describe('quantileType7', () => {
  it('gives 32.5 as the 75th percentile of [10, 20, 30, 40], as R does', () => {
    expect(ref.simple.q75).toBe(32.5);
    expect(quantileType7(ref.simple.medians, 0.75)).toBe(ref.simple.q75);
  });
  it('rejects empty samples and probabilities outside [0, 1]', () => {
    expect(() => quantileType7([], 0.5)).toThrow(RangeError);
    expect(() => quantileType7([1], 1.5)).toThrow(RangeError);
    expect(() => quantileType7([1, Number.NaN], 0.5)).toThrow(RangeError);
  });
});

describe('facilityDoseSummary (node half)', () => {
  it('matches R medians and quartiles for every facility stratum, exactly', () => {
    expect(facilities).toHaveLength(10);
    for (const s of ref.strata) {
      const rel = releases.find((r) => r.facility === s.facility);
      const st = rel?.strata.find((x) => x.exam === s.exam && x.group === s.group && x.phantom === s.phantom);
      if (s.n < ref.minN) {
        expect(st).toBeUndefined();
        expect(rel?.excluded).toContainEqual(
          expect.objectContaining({
            exam: s.exam,
            group: s.group,
            phantom: s.phantom,
            n: s.n,
            quantity: 'both',
          }),
        );
        continue;
      }
      expect(st?.nExams).toBe(s.n);
      expect(st?.ctdivol).toEqual({ n: s.n, ...num(s.ctdivol) });
      expect(st?.dlp).toEqual({ n: s.n, ...num(s.dlp) });
    }
  });

  it('excludes a facility under N and reports the exclusion with its count', () => {
    const f10 = releases.find((r) => r.facility === 'F10');
    expect(f10?.strata.some((s) => s.exam === 'chest' && s.group === 'adult')).toBe(false);
    expect(f10?.excluded).toContainEqual(
      expect.objectContaining({
        exam: 'chest',
        group: 'adult',
        phantom: 'body32',
        n: 12,
        reason: '12 exams < minimum 20',
      }),
    );
  });

  it('never mixes head and body phantom values of one exam', () => {
    const rows: DoseRegistryRow[] = Array.from({ length: 20 }, (_, i) => ({
      examId: `x${i}`,
      exam: 'head',
      ageYears: 50,
      weightKg: null,
      doses: { head16: { ctdivolMGy: 50, dlpMGyCm: 800 }, body32: { ctdivolMGy: 10, dlpMGyCm: 200 } },
    }));
    const rel = facilityDoseSummary(rows, { facility: 'A' });
    expect(rel.strata.map((s) => [s.phantom, s.ctdivol?.median, s.dlp?.median])).toEqual([
      ['body32', 10, 200],
      ['head16', 50, 800],
    ]);
  });
});

describe('combineDrlSurvey (aggregator half)', () => {
  const survey = combineDrlSurvey(releases, DRL_REFERENCE_TABLE);

  it('equals the pooled two-stage computation in R exactly', () => {
    expect(survey.results).toHaveLength(ref.survey.length);
    for (const s of ref.survey) {
      const r = survey.results.find(
        (x) =>
          x.exam === s.exam && x.group === s.group && x.phantom === s.phantom && x.quantity === s.quantity,
      );
      expect(r?.nFacilities).toBe(s.nFacilities);
      expect(r?.drl).toBe(Number(s.drl));
    }
  });

  it('reports the facility excluded for being under N', () => {
    const chest = survey.results.find(
      (x) => x.exam === 'chest' && x.group === 'adult' && x.quantity === 'dlp',
    );
    expect(chest?.nFacilities).toBe(9);
    expect(chest?.excludedFacilities).toEqual([{ facility: 'F10', n: 12, reason: '12 exams < minimum 20' }]);
  });

  it('flags facilities whose median exceeds the survey DRL or a reference DRL', () => {
    for (const r of survey.results) {
      for (const f of r.facilities) {
        const flagged = survey.flags.some(
          (g) =>
            g.facility === f.facility &&
            g.exam === r.exam &&
            g.group === r.group &&
            g.quantity === r.quantity &&
            g.against === 'survey',
        );
        expect(flagged).toBe(f.median > r.drl);
      }
    }
    // With 10 facilities the 75th percentile lies between the 7th and 8th medians: 3 facilities exceed it.
    const head = survey.results.find((x) => x.exam === 'head' && x.quantity === 'ctdivol');
    expect(head?.facilities.filter((f) => f.exceedsSurveyDrl)).toHaveLength(3);
    const custom: DrlReferenceRow = {
      ...(DRL_REFERENCE_TABLE[0] as DrlReferenceRow),
      id: 'test-head',
      ctdivol: 1,
      dlp: null,
    };
    const s2 = combineDrlSurvey(releases, [custom]);
    expect(s2.flags.filter((f) => f.against === 'test-head')).toHaveLength(10);
  });

  it('lists strata that no facility could release (paediatric chest: only 5 exams at F04-F10)', () => {
    const lonely = releases.slice(3);
    const s = combineDrlSurvey(lonely, []);
    const paed = s.unreleased.filter((u) => u.group === 'paed-weight-15-30' && u.quantity === 'ctdivol');
    expect(paed).toHaveLength(1);
    expect(paed[0]?.excludedFacilities.map((e) => e.n)).toEqual([5, 5, 5, 5, 5, 5, 5]);
    expect(s.results.some((r) => r.group === 'paed-weight-15-30')).toBe(false);
  });

  it('rejects the same facility released twice', () => {
    expect(() => combineDrlSurvey([releases[0], releases[0]] as never, [])).toThrow(/released twice/);
  });
});

describe('patientGroupsOf', () => {
  it('places adults, children by weight and age band, and refuses unknown ages', () => {
    expect(patientGroupsOf(16, null)).toEqual(['adult']);
    expect(patientGroupsOf(8, 25)).toEqual(['paed-weight-15-30', 'paed-age-6-10']);
    expect(patientGroupsOf(0.5, 4.9)).toEqual(['paed-weight-0-5', 'paed-age-0']);
    expect(patientGroupsOf(15.9, 80)).toEqual(['paed-age-11-15']);
    expect(patientGroupsOf(null, 70)).toEqual([]);
  });
});
