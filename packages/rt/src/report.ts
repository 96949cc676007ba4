/**
 * The DVH report of RT cases: per structure the standard metrics and the cumulative curve, the target's
 * homogeneity and conformity where one is named, and the structures that could not be computed (with
 * their coded error) so that one bad contour does not hide the others.
 */
import { FedhubError } from '@fedhub/protocol';
import type { RtCase } from './dicom/load.js';
import { computeDvh, type Dvh, type DvhOptions } from './dvh/compute.js';
import { isodoseVolumeCc } from './dvh/isodose-volume.js';
import { cumulativeCc, type DvhMetrics, standardMetrics, targetIndices } from './dvh/metrics.js';
import { standardName } from './names/tg263.js';

export interface StructureReport extends DvhMetrics {
  name: string;
  standardName: string | null;
  cumulative: { doseGy: number[]; volumePct: number[] };
  target?: ReturnType<typeof targetIndices> & { prescriptionGy: number };
}

export interface CaseReport {
  patientId: string | null;
  frameOfReferenceUid: string;
  doseFile: string;
  structureSetFile: string;
  prescriptionGy: number | null;
  fractions: number | null;
  structures: StructureReport[];
  failed: Array<{ name: string; code: string; message: string }>;
}

export interface ReportOptions extends DvhOptions {
  /** Local-to-standard structure names. */
  readonly structureNames?: Readonly<Record<string, string>>;
  /** Target (local or standard name) whose homogeneity and conformity are reported. */
  readonly target?: string;
  /** Prescription (Gy) for the target indices; default the RT Plan's. */
  readonly prescriptionGy?: number;
  /** Dose step (Gy) of the printed cumulative curve; default the bin width. */
  readonly curveStepGy?: number;
}

/** The cumulative curve sampled every `step` Gy (a multiple of the bin width) from 0 to the maximum. */
export function curveAt(dvh: Dvh, step: number): { doseGy: number[]; volumePct: number[] } {
  const c = cumulativeCc(dvh);
  const every = Math.max(1, Math.round(step / dvh.binWidthGy));
  const doseGy: number[] = [];
  const volumePct: number[] = [];
  for (let k = 0; k < c.length; k += every) {
    doseGy.push(Number((k * dvh.binWidthGy).toFixed(6)));
    volumePct.push((100 * c[k]!) / c[0]!);
  }
  if ((c.length - 1) % every !== 0) {
    doseGy.push(Number(((c.length - 1) * dvh.binWidthGy).toFixed(6)));
    volumePct.push(0);
  }
  return { doseGy, volumePct };
}

export function reportCase(rt: RtCase, opts: ReportOptions = {}): CaseReport {
  const names = opts.structureNames ?? {};
  const rx = opts.prescriptionGy ?? rt.plan?.prescriptionGy;
  const structures: StructureReport[] = [];
  const failed: CaseReport['failed'] = [];
  let targetSeen = false;
  for (const s of rt.structureSet.structures) {
    if (s.contours.length === 0 || s.contours.every((c) => c.geometricType === 'POINT')) continue;
    let dvh: Dvh;
    try {
      dvh = computeDvh(s, rt.structureSet.where, rt.dose, opts);
    } catch (err) {
      if (!(err instanceof FedhubError)) throw err;
      failed.push({ name: s.name, code: err.code, message: err.message });
      continue;
    }
    const std = standardName(s.name, names);
    const row: StructureReport = {
      name: s.name,
      standardName: std,
      ...standardMetrics(dvh),
      cumulative: curveAt(dvh, opts.curveStepGy ?? dvh.binWidthGy),
    };
    if (opts.target !== undefined && (s.name === opts.target || std === opts.target)) {
      targetSeen = true;
      if (rx === undefined)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `target "${opts.target}": no prescription dose (no RT Plan with one; give --prescription)`,
        );
      row.target = { prescriptionGy: rx, ...targetIndices(dvh, rx, isodoseVolumeCc(rt.dose, rx)) };
    }
    structures.push(row);
  }
  if (opts.target !== undefined && !targetSeen && !failed.some((f) => f.name === opts.target))
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `${rt.structureSet.where}: no structure "${opts.target}" (it has: ${rt.structureSet.structures.map((s) => s.name).join(', ')})`,
    );
  return {
    patientId: rt.patientId ?? null,
    frameOfReferenceUid: rt.frameOfReferenceUid,
    doseFile: rt.dose.where,
    structureSetFile: rt.structureSet.where,
    prescriptionGy: rx ?? null,
    fractions: rt.plan?.fractions ?? null,
    structures,
    failed,
  };
}
