import type { DrlReferenceRow } from './drl-reference-table.js';
import type { DoseRegistryRow } from './exam-dose.js';
import { PATIENT_GROUPS, type PatientGroup, patientGroupsOf } from './patient-groups.js';
import { quantileType7, type SampleSummary, summarise } from './quantile.js';
import type { CtdiPhantom } from './types.js';

/** Dose quantity of a DRL: CTDIvol (mGy) or DLP (mGy.cm). */
export type DrlQuantity = 'ctdivol' | 'dlp';

/** Stratum of a DRL: standard exam × patient group × CTDI phantom. */
export interface DrlStratum {
  exam: string;
  group: PatientGroup;
  phantom: CtdiPhantom;
}

/** Options of {@link facilityDoseSummary}. */
export interface FacilitySummaryOptions {
  /** Facility identifier written into the release. */
  facility: string;
  /** Minimum number of exams for a stratum (and for each quantity) to be released; default 20. */
  minN?: number;
}

/** A stratum released by a facility: count, median and quartiles per quantity (null when under minN). */
export interface ReleasedStratum extends DrlStratum {
  /** Exams in the stratum. */
  nExams: number;
  /** CTDIvol summary in mGy. */
  ctdivol: SampleSummary | null;
  /** DLP summary in mGy.cm. */
  dlp: SampleSummary | null;
}

/** A stratum (or one quantity of it) that a facility withheld, with why. */
export interface ExcludedStratum extends DrlStratum {
  quantity: DrlQuantity | 'both';
  n: number;
  reason: string;
}

/** What a node releases: only per-stratum counts, medians and quartiles — never exam rows. */
export interface FacilityRelease {
  facility: string;
  minN: number;
  strata: ReleasedStratum[];
  excluded: ExcludedStratum[];
  /** Rows that fit no patient group (unknown age), counted, not released. */
  rowsWithoutGroup: number;
}

/** Default minimum exam count per released stratum. */
export const DEFAULT_MIN_N = 20;

const stratumKey = (s: DrlStratum): string => `${s.exam}\u0000${s.group}\u0000${s.phantom}`;

/**
 * The node's half of the DRL survey: from local registry rows, per exam × patient group × phantom, the count,
 * median and quartiles (R type 7) of per-exam CTDIvol and DLP. A stratum with fewer than `minN` exams is not
 * released; a quantity with fewer than `minN` values is withheld; both are listed in `excluded` with the count.
 */
export function facilityDoseSummary(
  rows: readonly DoseRegistryRow[],
  opts: FacilitySummaryOptions,
): FacilityRelease {
  const minN = opts.minN ?? DEFAULT_MIN_N;
  if (!Number.isInteger(minN) || minN < 1)
    throw new RangeError(`minN must be a positive integer, got ${minN}`);
  const buckets = new Map<string, { s: DrlStratum; ctdi: number[]; dlp: number[]; n: number }>();
  let rowsWithoutGroup = 0;
  for (const row of rows) {
    const groups = patientGroupsOf(row.ageYears, row.weightKg);
    if (groups.length === 0) rowsWithoutGroup++;
    for (const group of groups) {
      for (const phantom of ['head16', 'body32'] as const) {
        const d = row.doses[phantom];
        if (!d) continue;
        const s: DrlStratum = { exam: row.exam, group, phantom };
        const k = stratumKey(s);
        const b = buckets.get(k) ?? { s, ctdi: [], dlp: [], n: 0 };
        b.n++;
        if (d.ctdivolMGy !== null && Number.isFinite(d.ctdivolMGy)) b.ctdi.push(d.ctdivolMGy);
        if (d.dlpMGyCm !== null && Number.isFinite(d.dlpMGyCm)) b.dlp.push(d.dlpMGyCm);
        buckets.set(k, b);
      }
    }
  }
  const strata: ReleasedStratum[] = [];
  const excluded: ExcludedStratum[] = [];
  for (const b of [...buckets.values()].sort((x, y) => compareStrata(x.s, y.s))) {
    if (b.n < minN) {
      excluded.push({ ...b.s, quantity: 'both', n: b.n, reason: `${b.n} exams < minimum ${minN}` });
      continue;
    }
    const ctdivol = b.ctdi.length >= minN ? summarise(b.ctdi) : null;
    const dlp = b.dlp.length >= minN ? summarise(b.dlp) : null;
    if (!ctdivol)
      excluded.push({
        ...b.s,
        quantity: 'ctdivol',
        n: b.ctdi.length,
        reason: `${b.ctdi.length} CTDIvol values < minimum ${minN}`,
      });
    if (!dlp)
      excluded.push({
        ...b.s,
        quantity: 'dlp',
        n: b.dlp.length,
        reason: `${b.dlp.length} DLP values < minimum ${minN}`,
      });
    if (ctdivol || dlp) strata.push({ ...b.s, nExams: b.n, ctdivol, dlp });
  }
  return { facility: opts.facility, minN, strata, excluded, rowsWithoutGroup };
}

/** Order strata by exam, then patient group order, then phantom. */
export function compareStrata(a: DrlStratum, b: DrlStratum): number {
  if (a.exam !== b.exam) return a.exam < b.exam ? -1 : 1;
  const g = PATIENT_GROUPS.indexOf(a.group) - PATIENT_GROUPS.indexOf(b.group);
  if (g !== 0) return g;
  return a.phantom === b.phantom ? 0 : a.phantom < b.phantom ? -1 : 1;
}

/** One facility's median compared with the survey DRL and the reference DRLs. */
export interface FacilityComparison {
  facility: string;
  median: number;
  q1: number;
  q3: number;
  n: number;
  /** Median / survey DRL. */
  ratioToSurveyDrl: number;
  exceedsSurveyDrl: boolean;
  /** Ids of the reference rows whose value the median exceeds. */
  exceedsReferences: string[];
}

/** Survey result for one stratum and one quantity. */
export interface SurveyDrl extends DrlStratum {
  quantity: DrlQuantity;
  /** mGy for CTDIvol, mGy.cm for DLP. */
  unit: 'mGy' | 'mGy.cm';
  /** Number of facilities whose median entered the DRL. */
  nFacilities: number;
  /** Survey DRL: 75th percentile (type 7) of the facility medians. */
  drl: number;
  /** Median of the facility medians (the "achievable dose" of some national schemes). */
  medianOfMedians: number;
  facilities: FacilityComparison[];
  /** Reference DRLs that apply to this stratum and quantity. */
  references: DrlReferenceRow[];
  /** Facilities that withheld this stratum (under minN), with their counts. */
  excludedFacilities: { facility: string; n: number; reason: string }[];
}

/** Result of {@link combineDrlSurvey}. */
export interface DrlSurvey {
  results: SurveyDrl[];
  /** Strata and quantities no facility could release (all under the minimum count), with who withheld them. */
  unreleased: (DrlStratum & {
    quantity: DrlQuantity;
    excludedFacilities: { facility: string; n: number; reason: string }[];
  })[];
  /** Facilities whose median exceeds the survey DRL or a reference DRL, one entry per stratum and quantity. */
  flags: {
    facility: string;
    exam: string;
    group: PatientGroup;
    phantom: CtdiPhantom;
    quantity: DrlQuantity;
    against: string;
    median: number;
    limit: number;
  }[];
}

/**
 * The aggregator's half: combine facility releases into survey DRLs (75th percentile of the facility medians,
 * R type 7, as ICRP 135 recommends for national DRLs), per exam × patient group × phantom and quantity, and
 * compare each facility's median with the survey DRL and with the matching rows of `refTable`. A facility
 * median strictly above a DRL is flagged. Strata a facility withheld are listed as excluded, not guessed.
 */
export function combineDrlSurvey(
  releases: readonly FacilityRelease[],
  refTable: readonly DrlReferenceRow[],
): DrlSurvey {
  const names = new Set<string>();
  for (const r of releases) {
    if (names.has(r.facility)) throw new RangeError(`facility ${r.facility} released twice`);
    names.add(r.facility);
  }
  const keys = new Map<string, DrlStratum>();
  for (const r of releases)
    for (const s of [...r.strata, ...r.excluded])
      keys.set(stratumKey(s), { exam: s.exam, group: s.group, phantom: s.phantom });
  const results: SurveyDrl[] = [];
  const flags: DrlSurvey['flags'] = [];
  const unreleased: DrlSurvey['unreleased'] = [];
  for (const s of [...keys.values()].sort(compareStrata)) {
    for (const quantity of ['ctdivol', 'dlp'] as const) {
      const contributions = releases.flatMap((r) => {
        const st = r.strata.find((x) => stratumKey(x) === stratumKey(s));
        const sum = st?.[quantity];
        return sum ? [{ facility: r.facility, sum }] : [];
      });
      const excludedFacilities = releases.flatMap((r) =>
        r.excluded
          .filter(
            (x) => stratumKey(x) === stratumKey(s) && (x.quantity === 'both' || x.quantity === quantity),
          )
          .map((x) => ({ facility: r.facility, n: x.n, reason: x.reason })),
      );
      if (contributions.length === 0) {
        unreleased.push({ ...s, quantity, excludedFacilities });
        continue;
      }
      const medians = contributions.map((c) => c.sum.median);
      const drl = quantileType7(medians, 0.75);
      const references = refTable.filter(
        (ref) =>
          ref.exam === s.exam && ref.group === s.group && ref.phantom === s.phantom && ref[quantity] !== null,
      );
      const facilities = contributions.map(({ facility, sum }) => {
        const exceedsReferences = references
          .filter((ref) => sum.median > (ref[quantity] as number))
          .map((ref) => ref.id);
        return {
          facility,
          median: sum.median,
          q1: sum.q1,
          q3: sum.q3,
          n: sum.n,
          ratioToSurveyDrl: sum.median / drl,
          exceedsSurveyDrl: sum.median > drl,
          exceedsReferences,
        };
      });
      for (const f of facilities) {
        if (f.exceedsSurveyDrl)
          flags.push({
            facility: f.facility,
            ...s,
            quantity,
            against: 'survey',
            median: f.median,
            limit: drl,
          });
        for (const id of f.exceedsReferences) {
          const ref = references.find((x) => x.id === id) as DrlReferenceRow;
          flags.push({
            facility: f.facility,
            ...s,
            quantity,
            against: id,
            median: f.median,
            limit: ref[quantity] as number,
          });
        }
      }
      results.push({
        ...s,
        quantity,
        unit: quantity === 'ctdivol' ? 'mGy' : 'mGy.cm',
        nFacilities: contributions.length,
        drl,
        medianOfMedians: quantileType7(medians, 0.5),
        facilities,
        references,
        excludedFacilities,
      });
    }
  }
  return { results, flags, unreleased };
}
