/**
 * The cases of an imaging validation at one node: the patients of the cohort table, each with the one image
 * series of the study's selection (modality, body part, series description pattern) in the node's DICOM
 * store, and for segmentation the reference structure (RT structure set or SEG on the same frame of
 * reference); then one case through preprocessing, the model and the metrics. Failures are reasons only.
 */
import type { ImagingModelSpec } from '@fedhub/protocol';
import type { DicomDataset, Mask, Volume } from '@fedhub/radiomics';
import type { ImagingSeries, ImagingSource } from '../types.js';
import { type CaseFailure, caseScore, predictedMask, prepareCase } from './prepare-case.js';
import type { InputTensor } from './preprocess.js';
import { type SegMetrics, segMetrics } from './seg-metrics.js';

/** Which series a case's image is. */
export interface CaseSelection {
  readonly modality: string;
  readonly bodyPart?: string | undefined;
  /** Series Description pattern: `*` any run of characters, `?` one; case-insensitive, whole text. */
  readonly seriesDescription?: string | undefined;
}

/** A glob as an anchored, case-insensitive RegExp with no backtracking trap (only `.*` and `.`). */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
    .replace(/(\.\*)+/g, '.*');
  return new RegExp(`^${body}$`, 'is');
}

/** The model as the cases see it: one input tensor in, the chosen output's values out. */
export interface ImageModel {
  run(input: InputTensor): Promise<ArrayLike<number>>;
}

/** Failure reasons, including those of the selection (a cohort patient with no or several series). */
export type CaseOutcomeFailure = CaseFailure | 'no-series' | 'several-series';

export interface CandidateCase {
  readonly patient: string;
  readonly image: ImagingSeries;
  /** The patient's RT structure sets and SEGs. */
  readonly masks: ImagingSeries[];
}

const MASK_MODALITIES = new Set(['RTSTRUCT', 'SEG']);

/**
 * The candidate case of every patient in `patients` (sorted): the one series of the modality whose
 * description matches (body part is checked on the files), or the reason there is none.
 */
export function selectCases(
  series: readonly ImagingSeries[],
  selection: CaseSelection,
  patients: readonly string[],
): Array<CandidateCase | { patient: string; reason: CaseOutcomeFailure }> {
  const pattern = selection.seriesDescription ? globToRegExp(selection.seriesDescription) : null;
  const byPatient = new Map<string, ImagingSeries[]>();
  for (const s of series)
    byPatient.set(s.patientPseudonym, [...(byPatient.get(s.patientPseudonym) ?? []), s]);
  return [...patients].sort().map((patient) => {
    const all = byPatient.get(patient) ?? [];
    const images = all.filter(
      (s) =>
        (s.modality ?? '').toUpperCase() === selection.modality.toUpperCase() &&
        (!pattern || pattern.test(s.seriesDescription ?? '')),
    );
    if (images.length === 0) return { patient, reason: 'no-series' as const };
    if (images.length > 1) return { patient, reason: 'several-series' as const };
    return {
      patient,
      image: images[0] as ImagingSeries,
      masks: all.filter((s) => MASK_MODALITIES.has(s.modality ?? '')),
    };
  });
}

/** What one case gives: a score, or segmentation metrics, or the reason it gives nothing. */
export type CaseOutcome =
  | { patient: string; score: number }
  | { patient: string; metrics: SegMetrics }
  | { patient: string; reason: CaseOutcomeFailure }
  | { patient: string; skipped: 'body-part' };

type Radiomics = typeof import('@fedhub/radiomics');

/** The local name of `structure` in a mask file: itself, or a local name the node maps to it (TG-263). */
function structureIn(
  rx: Radiomics,
  d: DicomDataset,
  structure: string,
  names: Readonly<Record<string, string>>,
) {
  const lc = structure.toLowerCase();
  const matches = (name: string) => name.toLowerCase() === lc || (names[name] ?? '').toLowerCase() === lc;
  if (rx.isRtStruct(d)) {
    const r = rx.readRtStruct(d).rois.find((x) => matches(x.name) || String(x.number) === structure);
    return r ? r.name : null;
  }
  if (rx.isSeg(d)) {
    const s = rx.segSegments(d).find((x) => matches(x.label) || String(x.number) === structure);
    return s ? String(s.number) : null;
  }
  return null;
}

export interface RunCaseOptions {
  readonly spec: ImagingModelSpec;
  readonly selection: CaseSelection;
  /** The reference structure (segmentation; a crop or slices on the structure). */
  readonly structure?: string | undefined;
  /** Surface Dice tolerances (mm). */
  readonly tolerances: readonly number[];
}

/** Model errors that end the whole run (the runner is gone): everything else is one case's failure. */
const FATAL = new Set(['FH_ERR_MODEL_TIMEOUT', 'FH_ERR_MODEL_TOO_LARGE', 'FH_ERR_MODEL_MEMORY']);

/** One case: its files read, preprocessed, through the model, scored or measured. */
export async function runCase(
  rx: Radiomics,
  imaging: ImagingSource,
  c: CandidateCase,
  model: ImageModel,
  opts: RunCaseOptions,
): Promise<CaseOutcome> {
  const { patient } = c;
  const pp = opts.spec.preprocessing;
  const parse = async (s: ImagingSeries) =>
    (await imaging.files(s.seriesInstanceUid)).map((b, i) => rx.parseDicom(b, `file ${i + 1}`));
  let image: Volume;
  let reference: Mask | null = null;
  const needsStructure =
    opts.spec.output.task === 'segmentation' ||
    pp.crop === 'structure' ||
    (pp.mode === '2d' && pp.slices === 'structure');
  try {
    const files = await parse(c.image);
    const bodyPart = opts.selection.bodyPart;
    if (
      bodyPart &&
      !files.some((d) => String(d.ds.BodyPartExamined ?? '').toUpperCase() === bodyPart.toUpperCase())
    )
      return { patient, skipped: 'body-part' };
    if (needsStructure && opts.structure) {
      let found: { file: DicomDataset; name: string } | null = null;
      for (const s of c.masks) {
        for (const d of await parse(s)) {
          const name = structureIn(rx, d, opts.structure, imaging.structureNames ?? {});
          if (name !== null) found = { file: d, name };
          if (found) break;
        }
        if (found) break;
      }
      if (!found) return { patient, reason: 'no-structure' };
      const roi = rx.readDicomRoi(files, found.file, { roi: found.name });
      image = roi.image;
      reference = roi.mask;
      if (!reference.data.some((v) => v !== 0)) return { patient, reason: 'no-structure' };
    } else {
      image = rx.readImageSeries(files).volume;
    }
  } catch (err) {
    // only the reason leaves: messages name files and may quote header values
    const code = (err as { code?: string }).code;
    return {
      patient,
      reason:
        code === 'FH_ERR_RADIOMICS_ROI_NOT_FOUND' || code === 'FH_ERR_RADIOMICS_EMPTY_ROI'
          ? 'no-structure'
          : 'unreadable-series',
    };
  }
  if (needsStructure && !reference) return { patient, reason: 'no-structure' };
  const prepared = prepareCase(image, reference, pp);
  if ('reason' in prepared) return { patient, reason: prepared.reason };
  const outputs: Array<ArrayLike<number>> = [];
  for (const input of prepared.inputs) {
    try {
      outputs.push(await model.run(input));
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (FATAL.has(code)) throw err;
      if (code === 'FH_ERR_MODEL_OUTPUT_NAN') return { patient, reason: 'nan-output' };
      if (code === 'FH_ERR_MODEL_INPUT_MISMATCH') return { patient, reason: 'shape-mismatch' };
      return { patient, reason: 'model-error' };
    }
  }
  const out = opts.spec.output;
  if (out.task === 'classification') {
    const s = caseScore(outputs, out, pp.sliceAggregation);
    return typeof s === 'number' ? { patient, score: s } : { patient, reason: s.reason };
  }
  const pred = predictedMask(prepared, outputs, out, pp.layout);
  if ('reason' in pred) return { patient, reason: pred.reason };
  const ref = prepared.reference as Mask;
  const metrics = segMetrics(pred, ref.data, prepared.dims, prepared.spacing, opts.tolerances);
  // an empty prediction has no surface: its HD95 is the grid's diagonal (the BraTS convention), so that
  // every case counts in every metric (a separate count of them would be a cell of its own)
  if (metrics.emptyPrediction) {
    const [a, b, c] = prepared.dims.map((n, i) => n * (prepared.spacing[i] as number));
    metrics.hd95 = Math.hypot(a as number, b as number, c as number);
  }
  return { patient, metrics };
}
