import { codeMatches } from './codes.js';
import type { CtdiPhantom, DoseReport, IrradiationEvent } from './types.js';
import { roundNoise } from './units.js';

/** An exam's dose per CTDI phantom: CTDIvol in mGy and DLP in mGy.cm (null when no event gives one). */
export interface PhantomDose {
  ctdivolMGy: number | null;
  dlpMGyCm: number | null;
}

/**
 * One row of a node's local dose registry: one exam (study) of one patient, already mapped to a standard exam.
 * Head (16 cm) and body (32 cm) phantom values are kept apart in `doses`.
 */
export interface DoseRegistryRow {
  /** Local exam identifier (never released). */
  examId: string;
  /** Standard exam id from the exam mapping (e.g. `head`, `chest`). */
  exam: string;
  ageYears: number | null;
  weightKg: number | null;
  doses: Partial<Record<CtdiPhantom, PhantomDose>>;
}

/** True for localizer (scout) events: CT Acquisition Type Constant Angle Acquisition (DCM 113805). */
export function isLocalizer(ev: IrradiationEvent): boolean {
  if (ev.acquisitionType) return codeMatches(ev.acquisitionType, [{ scheme: 'DCM', value: '113805' }]);
  return /constant[_ ]angle/i.test(ev.acquisitionTypeText ?? '');
}

/**
 * Per-exam doses per phantom from a (merged) dose report.
 *
 * Convention (documented choice): per-exam DLP = sum of the DLP of all events (localizers included), which is
 * the "DLP per complete examination" of the UK NDRLs (UKHSA) and ICRP Publication 135 (2017), which names CTDIvol and DLP as the CT DRL quantities;
 * per-exam CTDIvol = arithmetic mean of the CTDIvol of the exam's non-localizer events, the "CTDIvol per
 * sequence" of the UK NDRLs averaged over the sequences of the exam (as the EU RP 180 and EUCLID surveys
 * collected it per exam). Both are computed separately for the 16 cm and 32 cm phantoms, never mixed: an exam
 * with head and neck sequences contributes to both phantoms. Events without a phantom are left out and counted
 * in `eventsWithoutPhantom` so callers can report them.
 */
export function examDoseFromReport(report: DoseReport): {
  doses: Partial<Record<CtdiPhantom, PhantomDose>>;
  eventsWithoutPhantom: number;
} {
  const doses: Partial<Record<CtdiPhantom, PhantomDose>> = {};
  let eventsWithoutPhantom = 0;
  for (const phantom of ['head16', 'body32'] as const) {
    const evs = report.events.filter((e) => e.phantom === phantom);
    if (evs.length === 0) continue;
    const ctdis = evs
      .filter((e) => !isLocalizer(e) && e.ctdivolMGy !== null)
      .map((e) => e.ctdivolMGy as number);
    const dlps = evs.filter((e) => e.dlpMGyCm !== null).map((e) => e.dlpMGyCm as number);
    doses[phantom] = {
      ctdivolMGy: ctdis.length ? roundNoise(ctdis.reduce((a, b) => a + b, 0) / ctdis.length) : null,
      dlpMGyCm: dlps.length ? roundNoise(dlps.reduce((a, b) => a + b, 0)) : null,
    };
  }
  for (const e of report.events) {
    if (e.phantom === null && (e.ctdivolMGy ?? 0) > 0) eventsWithoutPhantom++;
  }
  return { doses, eventsWithoutPhantom };
}

/**
 * A registry row from a merged dose report already mapped to a standard exam: age and weight from the report's
 * header, doses per phantom from {@link examDoseFromReport}. `examId` defaults to the Study Instance UID.
 */
export function registryRowFromReport(report: DoseReport, exam: string, examId?: string): DoseRegistryRow {
  return {
    examId: examId ?? report.studyInstanceUid ?? report.sopInstanceUids[0] ?? '(unknown)',
    exam,
    ageYears: report.patient.ageYears,
    weightKg: report.patient.weightKg,
    doses: examDoseFromReport(report).doses,
  };
}
