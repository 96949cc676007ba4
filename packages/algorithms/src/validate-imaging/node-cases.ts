/**
 * The node's side of validate-imaging: the cohort table read (patients and labels), the cases selected in
 * the DICOM store, the registered ONNX model opened in its runner and run over every case, with progress.
 * The per-case outcomes stay in the task's cache at the node; only aggregates are released.
 */
import { FedhubError, type ImagingModelSpec } from '@fedhub/protocol';
import { type LocalContext, rowIdsOf } from '../types.js';
import { type CaseOutcome, type ImageModel, runCase, selectCases } from './cases.js';
import type { ValidateImagingParams } from './params.js';

export interface NodeCases {
  task: 'classification' | 'segmentation';
  spec: ImagingModelSpec;
  digest: string;
  outcomes: CaseOutcome[];
  /** Labels of the cohort's patients (classification). */
  labels: Map<string, number>;
  /**
   * The cohort record of each patient, where the node audits releases: the classifier's score groups
   * name the cohort records behind them (see ROW_IDS).
   */
  records?: { dataset: string; byPatient: Map<string, number> };
  /** The cases whose outcome enters the release (pseudonymised patient, image series): the ledger's row set. */
  usedCases: Array<{ patient: string; series: string }>;
}

const CACHE_KEY = 'validate-imaging';

function needsStructure(spec: ImagingModelSpec): boolean {
  const pp = spec.preprocessing;
  return (
    spec.output.task === 'segmentation' ||
    pp.crop === 'structure' ||
    (pp.mode === '2d' && pp.slices === 'structure')
  );
}

/** Every case of this node, computed once per task (later rounds read the cache). */
export async function nodeCases(ctx: LocalContext, params: ValidateImagingParams): Promise<NodeCases> {
  const hit = ctx.cache.get(CACHE_KEY) as NodeCases | undefined;
  if (hit) return hit;
  if (!ctx.imaging)
    throw new FedhubError('FH_ERR_UNKNOWN_DATASET', 'this node has no DICOM store to run an image model on');
  if (!ctx.models) throw new FedhubError('FH_ERR_FORBIDDEN', 'this node does not run ONNX models');
  const digest = params.model.onnx.slice('sha256:'.length);
  const bytes = await ctx.models.onnx(digest);
  const spec = params.model.imaging;
  const task = spec.output.task;
  if (task === 'classification' && !params.cohort.label)
    throw new FedhubError('FH_ERR_BAD_PARAMS', 'a classifier is validated against a label column', {
      parameter: 'cohort.label',
    });
  if (needsStructure(spec) && !params.structure)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      'this model needs a reference structure (segmentation, or a crop or slices on the structure)',
      { parameter: 'structure' },
    );
  // the cohort: its patients (a record identifier, read as a grouping key only) and labels
  const ds = await ctx.dataset(params.cohort.dataset);
  const columns = [
    params.cohort.patient,
    ...(task === 'classification' ? [params.cohort.label as string] : []),
  ];
  const { data } = await ds.readColumns(columns, params.cohort.filter, {
    groupKeys: [params.cohort.patient],
  });
  const ids = (data[params.cohort.patient] as Array<string | number | null>).map((v) => String(v));
  const cohortRows = rowIdsOf(data);
  const records = cohortRows
    ? { dataset: cohortRows.dataset, byPatient: new Map(ids.map((id, i) => [id, cohortRows.ids[i]!])) }
    : undefined;
  if (new Set(ids).size !== ids.length)
    throw new FedhubError('FH_ERR_BAD_PARAMS', 'the cohort table holds a patient more than once', {
      parameter: 'cohort.patient',
    });
  const labels = new Map<string, number>();
  if (task === 'classification') {
    const y = data[params.cohort.label as string] as Float64Array;
    for (const [i, id] of ids.entries()) {
      const v = y[i] as number;
      if (v !== 0 && v !== 1)
        throw new FedhubError('FH_ERR_BAD_PARAMS', `label column "${params.cohort.label}" must be 0 or 1`, {
          parameter: 'cohort.label',
        });
      labels.set(id, v);
    }
  }
  const candidates = selectCases(await ctx.imaging.series(), params.selection, ids);
  const onnx = await import('@fedhub/inference');
  const session = await onnx.openOnnxSession(bytes);
  const outcomes: CaseOutcome[] = [];
  const usedCases: NodeCases['usedCases'] = [];
  try {
    const inputs = session.info.inputs;
    const input = spec.input ?? (inputs.length === 1 ? inputs[0]?.name : undefined);
    if (!input || !inputs.some((i) => i.name === input))
      throw new FedhubError(
        'FH_ERR_MODEL_INPUT_MISMATCH',
        `the model card names no input of the model (its inputs: ${inputs.map((i) => i.name).join(', ')})`,
        { parameter: 'model' },
      );
    const output = spec.output.output ?? session.info.outputs[0]?.name;
    if (!output || !session.info.outputs.some((o) => o.name === output))
      throw new FedhubError('FH_ERR_MODEL_INPUT_MISMATCH', 'the model card names no output of the model', {
        parameter: 'model',
      });
    const image: ImageModel = {
      run: async (t) => {
        const out = await onnx.runOnnx(
          session,
          { [input]: { type: 'float32', data: t.data, dims: t.dims } },
          [output],
        );
        return (out[output]?.data ?? []) as ArrayLike<number>;
      },
    };
    const rx = await import('@fedhub/radiomics');
    const opts = {
      spec,
      selection: params.selection,
      structure: params.structure,
      tolerances: params.tolerances,
    };
    ctx.progress?.(0, candidates.length);
    for (const [i, c] of candidates.entries()) {
      const o = 'reason' in c ? c : await runCase(rx, ctx.imaging, c, image, opts);
      outcomes.push(o);
      // excluded and skipped cases take no part in any released statistic: only the others are booked
      if ('image' in c && ('score' in o || 'metrics' in o))
        usedCases.push({ patient: c.patient, series: c.image.seriesInstanceUid });
      ctx.progress?.(i + 1, candidates.length);
    }
  } finally {
    session.close();
  }
  const computed: NodeCases = {
    task,
    spec,
    digest,
    outcomes,
    labels,
    usedCases,
    ...(records ? { records } : {}),
  };
  ctx.cache.set(CACHE_KEY, computed);
  return computed;
}
