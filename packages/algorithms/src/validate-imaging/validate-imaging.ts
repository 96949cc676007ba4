/**
 * `validate-imaging`: a registered ONNX image model run at every node over the series of its DICOM store
 * that the study selects, with the preprocessing its card declares, validated on the node's own patients:
 * - a classifier against a label column of a cohort table, with exactly `validate`'s rounds and numbers
 *   (AUC with DeLong CI from score histograms, Brier, calibration by federated IRLS, Hosmer–Lemeshow):
 *   the node's scores are handed to `validate` as an in-memory dataset, so both share one aggregate;
 * - a segmentation model against the node's RT structure set or SEG of a named structure, with Dice, HD95
 *   and surface Dice per case, released only as grouped aggregates (metric-summary.ts).
 * Per-case scores and metrics never leave the node; failures leave as counts per reason.
 */
import { type DataDictionary, FedhubError, type Json, ValidateImagingResultSchema } from '@fedhub/protocol';
import { checkPayloads, defineAlgorithm } from '../define-algorithm.js';
import {
  type DatasetHandle,
  type LocalContext,
  type NodePart,
  type RowIds,
  release,
  withRowIds,
} from '../types.js';
import {
  type ValidateInput,
  ValidateInputSchema,
  ValidatePayloadSchema,
  type ValidateState,
  validate,
} from '../validate/validate.js';
import { poolMetric } from './metric-summary.js';
import { nodeCases } from './node-cases.js';
import {
  casesRelease,
  type NodeCasesRelease,
  type SegmentationRelease,
  segmentationRelease,
} from './node-release.js';
import { type ValidateImagingParams, ValidateImagingParamsSchema } from './params.js';
import type { SegMetrics } from './seg-metrics.js';

export type { ValidateImagingParams } from './params.js';
export { ValidateImagingParamsSchema } from './params.js';

/** Probabilities are kept off 0 and 1 (a saturated float32 sigmoid), where calibration's logit is finite. */
const P_EPS = 1e-6;

const SCORES: DataDictionary = {
  name: 'imaging_scores',
  columns: [
    { name: 'label', type: 'integer', min: 0, max: 1 },
    { name: 'score', type: 'numeric', min: 0, max: 1 },
  ],
};

/** The node's case scores and labels as a read-only dataset for `validate` (in memory; nothing else reads it). */
function scoresDataset(y: Float64Array, p: Float64Array, rows: RowIds | undefined): DatasetHandle {
  const unsupported = () => {
    throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'the imaging scores support validate only');
  };
  return {
    dictionary: SCORES,
    column: (name) => {
      const c = SCORES.columns.find((x) => x.name === name);
      if (!c) throw new FedhubError('FH_ERR_UNKNOWN_COLUMN', `no column "${name}" in the imaging scores`);
      return c;
    },
    count: async () => y.length,
    // each case's cohort record rides along: validate's score groups name them to the node's ledger
    readColumns: async () => ({ n: y.length, data: withRowIds({ label: y, score: p }, rows) }),
    moments: unsupported,
    histogram: unsupported,
    groupCounts: async () => [],
  };
}

const validateParams = (p: ValidateImagingParams) =>
  validate.paramsSchema.parse({
    dataset: SCORES.name,
    outcome: 'label',
    model: { score: 'score' },
    scoreResolution: p.scoreResolution,
    groups: p.groups,
  });

interface State {
  task: 'classification';
  cases: Json;
  perNode: Json;
  /** validate's own state, whose rounds the classifier's are. */
  inner: ValidateState | null;
}

/** The pooled counts of cases: a reason's count where every node gave it, else null. */
function poolCases(nodes: readonly NodeCasesRelease[]): NodeCasesRelease {
  const reasons = [...new Set(nodes.flatMap((n) => n.excluded.map((e) => e.reason)))].sort();
  return {
    processed: nodes.reduce((s, n) => s + n.processed, 0),
    excluded: reasons.map((reason) => {
      const counts = nodes.map((n) => n.excluded.find((e) => e.reason === reason));
      const known = counts.every((c) => c === undefined || c.count !== null);
      return { reason, count: known ? counts.reduce((s, c) => s + (c?.count ?? 0), 0) : null };
    }),
  };
}

function segmentationResult(params: ValidateImagingParams, parts: NodePart[], perNode: boolean): Json {
  const nodes = parts.map((p) => ({ node: p.nodeName, ...(p.payload as unknown as SegmentationRelease) }));
  const t = params.thresholds;
  const pool = (ns: typeof nodes) => ({
    dice: poolMetric(
      ns.map((n) => n.dice),
      t.dice,
    ),
    hd95: poolMetric(
      ns.map((n) => n.hd95),
      t.hd95,
    ),
    surfaceDice: params.tolerances.map((tolerance, i) => ({
      tolerance,
      metric: poolMetric(
        ns.map((n) => n.surfaceDice[i]!),
        t.surfaceDice,
      ),
    })),
    emptyPredictions: ns.some((n) => n.emptyPredictions === null)
      ? null
      : ns.reduce((s, n) => s + (n.emptyPredictions ?? 0), 0),
  });
  return {
    algorithm: 'validate-imaging',
    task: 'segmentation',
    model: params.model,
    structure: params.structure ?? null,
    cases: poolCases(nodes.map((n) => n.cases)),
    segmentation: pool(nodes),
    ...(perNode ? { perCentre: nodes.map((n) => ({ centre: n.node, cases: n.cases, ...pool([n]) })) } : {}),
    nodes: nodes.map((n) => n.node).sort(),
  } as unknown as Json;
}

async function classificationLocal(
  ctx: LocalContext,
  params: ValidateImagingParams,
  input: ValidateInput,
  round: number,
) {
  const c = await nodeCases(ctx, params);
  const scored = c.outcomes.filter((o): o is { patient: string; score: number } => 'score' in o);
  const y = Float64Array.from(scored, (o) => c.labels.get(o.patient) as number);
  const p = Float64Array.from(scored, (o) => Math.min(1 - P_EPS, Math.max(P_EPS, o.score)));
  const rec = c.records;
  const rows = rec
    ? { dataset: rec.dataset, ids: Int32Array.from(scored, (o) => rec.byPatient.get(o.patient) as number) }
    : undefined;
  const inner = await validate.local(
    { ...ctx, dataset: async () => scoresDataset(y, p, rows) },
    validateParams(params),
    input,
    round,
  );
  if (round !== 1) return inner;
  const { cases, cells } = casesRelease(c.outcomes, ctx.policy.minCellCount);
  return release(
    { ...(inner.payload as Record<string, Json>), task: 'classification', cases } as unknown as Json,
    {
      ...inner.disclosure,
      cells: [...inner.disclosure.cells, ...cells],
    },
  );
}

// the rounds are validate's (a segmenter's one round reads no input)
export const validateImaging = defineAlgorithm<ValidateImagingParams, ValidateInput, State>({
  name: 'validate-imaging',
  version: '1.0.0',
  title: 'Image model validation at the nodes (ONNX)',
  description:
    "A registered ONNX image model run at each node over its DICOM store with its card's preprocessing: a classifier's AUC, Brier score and calibration against a label column, or a segmentation model's Dice, HD95 and surface Dice against the local reference structure, as aggregates only.",
  paramsSchema: ValidateImagingParamsSchema,
  inputSchema: ValidateInputSchema,
  resultSchema: ValidateImagingResultSchema,
  releases: {
    pooled:
      "counts of cases processed and excluded per reason (all counts suppressed when one is under the minimum cell count); classifiers: validate's releases over the case scores (score histograms per label class, calibration and Hosmer–Lemeshow sums); segmentation: per metric the number of cases, its sum and sum of squares rounded to the grid step, and a histogram on a fixed public grid whose bins are merged until each holds at least the minimum cell count",
    perNode: 'case counts and metrics per centre',
  },
  variables: (p) => ({
    dataset: p.cohort.dataset,
    columns: [p.cohort.patient, ...(p.cohort.label ? [p.cohort.label] : [])],
  }),
  firstInput: () => ({ phase: 'levels' }),
  async local(ctx, params, input, round) {
    const c = await nodeCases(ctx, params);
    // the cases behind every release of this run, booked in the node's ledger with it
    ctx.bookImagingCases?.(c.usedCases);
    if (c.task === 'classification') return classificationLocal(ctx, params, input, round);
    const metrics = c.outcomes.flatMap((o) => ('metrics' in o ? [o.metrics as SegMetrics] : []));
    const k = ctx.policy.minCellCount;
    const { cases, cells } = casesRelease(c.outcomes, k);
    const seg = segmentationRelease(metrics, params.tolerances, k);
    return release({ ...seg.payload, cases } as unknown as Json, {
      subsetSize: metrics.length,
      cells: [...cells, ...seg.cells],
    });
  },
  aggregate({ params, round, state, parts, releasePerNodeBreakdown }) {
    const task = round === 1 ? (parts[0]?.payload as { task?: string } | undefined)?.task : state?.task;
    if (task === 'segmentation')
      return { kind: 'done', result: segmentationResult(params, parts, releasePerNodeBreakdown === true) };
    const vp = validateParams(params);
    const s = round === 1 ? null : state;
    const cases =
      s?.cases ??
      (poolCases(
        parts.map((p) => (p.payload as unknown as { cases: NodeCasesRelease }).cases),
      ) as unknown as Json);
    const perNode =
      s?.perNode ??
      (parts.map((p) => ({
        centre: p.nodeName,
        cases: (p.payload as { cases?: Json }).cases ?? null,
      })) as Json);
    const inner = validate.aggregate({
      params: vp,
      round,
      state: s?.inner ?? null,
      parts: checkPayloads(validate.name, ValidatePayloadSchema, parts),
      ...(releasePerNodeBreakdown === undefined ? {} : { releasePerNodeBreakdown }),
    });
    if (inner.kind === 'next-round') {
      const next: State = { task: 'classification', cases, perNode, inner: inner.state };
      return { kind: 'next-round', input: inner.input, state: next };
    }
    const r = inner.result as Record<string, Json>;
    return {
      kind: 'done',
      result: {
        algorithm: 'validate-imaging',
        task: 'classification',
        model: params.model,
        label: params.cohort.label ?? null,
        cases,
        classification: {
          scoreResolution: params.scoreResolution,
          pooled: r.pooled as Json,
          ...(r.perCentre ? { perCentre: r.perCentre } : {}),
        },
        ...(releasePerNodeBreakdown === true ? { perCentre: perNode } : {}),
        nodes: r.nodes as Json,
      } as Json,
    };
  },
});
