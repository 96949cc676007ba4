/** RT Structure Set reader: ROI names, interpreted types and closed planar contours in patient coordinates. */
import { FedhubError } from '@fedhub/protocol';
import { fail, optNumber, optString, type RtDataset, sequence } from './parse.js';

export const RTSTRUCT_CLASS = '1.2.840.10008.5.1.4.1.1.481.3';

/** One contour: `points` holds x, y, z triplets in patient coordinates (mm). */
export interface Contour {
  readonly geometricType: string;
  readonly points: Float64Array;
}

/** One ROI of a structure set. */
export interface Structure {
  readonly number: number;
  readonly name: string;
  /** RT ROI Interpreted Type (PTV, CTV, ORGAN, EXTERNAL, ...), where observed. */
  readonly interpretedType: string | undefined;
  readonly frameOfReferenceUid: string | undefined;
  readonly contours: readonly Contour[];
}

export interface StructureSet {
  readonly where: string;
  readonly patientId: string | undefined;
  readonly frameOfReferenceUid: string | undefined;
  readonly structures: readonly Structure[];
}

/** True when the dataset is an RT Structure Set. */
export function isRtStruct(d: RtDataset): boolean {
  return optString(d, 'SOPClassUID') === RTSTRUCT_CLASS || optString(d, 'Modality') === 'RTSTRUCT';
}

/** Reads an RT Structure Set's ROIs (names, contours). Contour data must be x\y\z triplets of numbers. */
export function readRtStruct(d: RtDataset): StructureSet {
  if (!isRtStruct(d)) fail(d, `not an RT Structure Set (Modality ${optString(d, 'Modality') ?? 'absent'})`);
  const frames = sequence(d, 'ReferencedFrameOfReferenceSequence')
    .map((f) => optString(f, 'FrameOfReferenceUID'))
    .filter((f): f is string => f !== undefined);
  const meta = new Map<number, { name: string; frame: string | undefined }>();
  for (const r of sequence(d, 'StructureSetROISequence')) {
    const n = optNumber(r, 'ROINumber');
    if (n !== undefined)
      meta.set(n, {
        name: optString(r, 'ROIName') ?? `ROI ${n}`,
        frame: optString(r, 'ReferencedFrameOfReferenceUID'),
      });
  }
  const types = new Map<number, string>();
  for (const o of sequence(d, 'RTROIObservationsSequence')) {
    const n = optNumber(o, 'ReferencedROINumber');
    const t = optString(o, 'RTROIInterpretedType');
    if (n !== undefined && t !== undefined) types.set(n, t.toUpperCase());
  }
  const structures: Structure[] = [];
  const seen = new Set<number>();
  for (const rc of sequence(d, 'ROIContourSequence')) {
    const number = optNumber(rc, 'ReferencedROINumber');
    if (number === undefined) continue;
    const m = meta.get(number);
    const name = m?.name ?? `ROI ${number}`;
    const contours: Contour[] = sequence(rc, 'ContourSequence').map((c) => {
      const raw = Array.isArray(c.ds.ContourData) ? (c.ds.ContourData as unknown[]) : [c.ds.ContourData];
      const points = Float64Array.from(raw, Number);
      if (points.length === 0 || points.length % 3 !== 0 || points.some((v) => !Number.isFinite(v)))
        throw new FedhubError(
          'FH_ERR_RT_UNREADABLE',
          `${d.where}: structure "${name}": Contour Data must hold x\\y\\z triplets of numbers`,
        );
      return {
        geometricType: (optString(c, 'ContourGeometricType') ?? 'CLOSED_PLANAR').toUpperCase(),
        points,
      };
    });
    seen.add(number);
    structures.push({
      number,
      name,
      interpretedType: types.get(number),
      frameOfReferenceUid: m?.frame ?? frames[0],
      contours,
    });
  }
  for (const [number, m] of meta)
    if (!seen.has(number))
      structures.push({
        number,
        name: m.name,
        interpretedType: types.get(number),
        frameOfReferenceUid: m.frame ?? frames[0],
        contours: [],
      });
  return { where: d.where, patientId: optString(d, 'PatientID'), frameOfReferenceUid: frames[0], structures };
}
