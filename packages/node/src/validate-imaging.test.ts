/**
 * validate-imaging over two in-process nodes, each with synthetic CT series (written as DICOM by
 * @fedhub/radiomics' writers) in an imaging store, a cohort table, and small ONNX models built here whose
 * outputs are known exactly:
 * - a classifier: a 3x3 mean filter (Conv, weights 1/9) and a global max pool over windowed 2D slices,
 *   then a fixed logit: it detects a bright disc. Its metrics equal `validate` run on the same
 *   probabilities as a column (the same aggregate), and the AUC the analytic Mann–Whitney value;
 * - a thresholding segmenter on a 3D volume, against RT structure sets shifted from the bright box by
 *   0, 1 or 2 voxels: Dice (6 - s) / 6 per case, released only as grouped aggregates.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImagingSeries, ImagingSource } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { buildOnnxModel } from '@fedhub/inference/test-support';
import { type ColumnSpec, DisclosurePolicySchema, type ImagingModelSpecInput } from '@fedhub/protocol';
import { newSeriesIdentity, type PatientGrid, writeImageSeries, writeRtStruct } from '@fedhub/radiomics';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { PrivacyLedger } from './governance/privacy-ledger.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-validate-imaging-'));
const stores: DatasetStore[] = [];
const ledgers: PrivacyLedger[] = [];
afterAll(() => {
  for (const s of stores) s.close();
  for (const l of ledgers) l.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const POLICY = DisclosurePolicySchema.parse({ minCellCount: 2, minSubsetSize: 5 });

/** A patient's series: a CT, optionally an RT structure set. */
interface SyntheticCase {
  id: string;
  ct?: Uint8Array[];
  rt?: Uint8Array;
}

function imagingOf(cases: SyntheticCase[]): ImagingSource {
  const files = new Map<string, Uint8Array[]>();
  const series: ImagingSeries[] = [];
  for (const c of cases) {
    const add = (kind: string, modality: string, f: Uint8Array[]) => {
      files.set(`${c.id}/${kind}`, f);
      series.push({
        patientPseudonym: c.id,
        studyInstanceUid: `${c.id}/study`,
        seriesInstanceUid: `${c.id}/${kind}`,
        modality,
        seriesDescription: kind === 'ct' ? 'Thorax 2.0 B30f' : null,
      });
    };
    if (c.ct) add('ct', 'CT', c.ct);
    if (c.rt) add('rt', 'RTSTRUCT', [c.rt]);
  }
  return { series: async () => series, files: async (uid) => files.get(uid) ?? [] };
}

async function node(
  name: string,
  cases: SyntheticCase[],
  cohort: string,
  columns: ColumnSpec[],
  model: Uint8Array,
): Promise<LocalNode> {
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, cohort);
  const datasets = await DatasetStore.open([
    { name: 'cohort', file, format: 'csv', columns, onInvalid: 'reject' },
  ]);
  stores.push(datasets);
  const digest = sha(model);
  return {
    id: crypto.randomUUID(),
    name: `Node ${name}`,
    datasets,
    keys: generateNodeKeys(),
    policy: POLICY,
    imaging: imagingOf(cases),
    models: {
      onnx: async (h) => {
        if (h !== digest) throw new Error('unknown model');
        return model;
      },
    },
  };
}

const GRID: PatientGrid = {
  dims: [16, 16, 4],
  spacing: [1, 1, 2],
  position0: [0, 0, 0],
  row: [1, 0, 0],
  col: [0, 1, 0],
  normal: [0, 0, 1],
};

/** A CT of 0 HU with, where `disc`, a disc of 150 HU (radius 3 voxels) on slices 1 and 2. */
function discCt(id: string, disc: boolean): SyntheticCase {
  const [nx, ny, nz] = GRID.dims;
  const v = new Float64Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        v[i + nx * (j + ny * k)] = disc && k >= 1 && k <= 2 && (i - 8) ** 2 + (j - 8) ** 2 <= 9 ? 150 : 0;
  return { id, ct: writeImageSeries(GRID, v, newSeriesIdentity(id)) };
}

const A_LOGIT = 20;
const B_LOGIT = -8;
/** Conv 3x3 (1/9) + GlobalMaxPool + a fixed logit over [1, 1, 16, 16]. */
const detector = buildOnnxModel({
  name: 'disc-detector',
  inputs: [{ name: 'image', type: 'float32', shape: [1, 1, 16, 16] }],
  outputs: [{ name: 'logit', type: 'float32', shape: [1, 1, 1, 1] }],
  initializers: [
    { name: 'kernel', type: 'float32', dims: [1, 1, 3, 3], values: new Array(9).fill(1 / 9) },
    { name: 'a', type: 'float32', dims: [], values: [A_LOGIT] },
    { name: 'b', type: 'float32', dims: [], values: [B_LOGIT] },
  ],
  nodes: [
    {
      op: 'Conv',
      inputs: ['image', 'kernel'],
      outputs: ['smoothed'],
      attributes: { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } },
    },
    { op: 'GlobalMaxPool', inputs: ['smoothed'], outputs: ['peak'] },
    { op: 'Mul', inputs: ['peak', 'a'], outputs: ['scaled'] },
    { op: 'Add', inputs: ['scaled', 'b'], outputs: ['logit'] },
  ],
});
const CLASSIFIER: ImagingModelSpecInput = {
  input: 'image',
  preprocessing: {
    size: [16, 16, null],
    mode: '2d',
    intensity: { kind: 'window', center: 100, width: 400 },
  },
  output: { task: 'classification', output: 'logit', scale: 'logit' },
};
// window [-100, 300] HU: 150 HU -> 0.625, 0 HU -> 0.25; logit 20 x - 8
const P_DISC = 1 / (1 + Math.exp(-(A_LOGIT * 0.625 + B_LOGIT)));
const P_NONE = 1 / (1 + Math.exp(-(A_LOGIT * 0.25 + B_LOGIT)));

describe('validate-imaging: the image cases in the node ledger', () => {
  it('refuses a second validation whose case set differs by one series, though its cohort rows are the same', async () => {
    const design = [true, true, true, true, true, true, false, false, false, false, false, false];
    const columns: ColumnSpec[] = [
      { name: 'patient', type: 'categorical', identifier: true },
      { name: 'y', type: 'integer', min: 0, max: 1 },
    ];
    const nodes: LocalNode[] = [];
    for (const name of ['LA', 'LB', 'LC']) {
      const cases = design.map((disc, i) => discCt(`${name}${i}`, disc));
      const rows = design.map((disc, i) => `${name}${i},${disc ? 1 : 0}`);
      const n = await node(name, cases, `patient,y\n${rows.join('\n')}\n`, columns, detector);
      const ledgerDir = join(dir, `ledger-${name}`);
      mkdirSync(ledgerDir, { recursive: true });
      const ledger = new PrivacyLedger(ledgerDir);
      ledgers.push(ledger);
      // the first patient's CT is described otherwise: a pattern can leave exactly that series out
      const series = await n.imaging!.series();
      const imaging: ImagingSource = {
        ...n.imaging!,
        series: async () =>
          series.map((s) =>
            s.seriesInstanceUid === `${name}0/ct` ? { ...s, seriesDescription: 'Thorax 5.0 B30f' } : s,
          ),
      };
      nodes.push({ ...n, imaging, ledger, floors: { minNodes: 1, minOrganisations: 1 } });
    }
    const params = (seriesDescription: string) => ({
      model: { onnx: `sha256:${sha(detector)}`, registered: 'disc-detector@1', imaging: CLASSIFIER },
      selection: { modality: 'CT', seriesDescription },
      cohort: { dataset: 'cohort', patient: 'patient', label: 'y' },
    });
    const all = (await runLocalFederation('validate-imaging', params('thorax*'), nodes)).result as {
      cases: { processed: number };
    };
    expect(all.cases.processed).toBe(36);
    // the same cohort rows, one series fewer at each node: the two releases would tell that case apart
    await expect(runLocalFederation('validate-imaging', params('thorax 2.0*'), nodes)).rejects.toMatchObject({
      details: { code: 'FH_ERR_DIFFERENCING' },
    });
    // the same case set again is no difference
    await runLocalFederation('validate-imaging', params('thorax*'), nodes);
  });
});

describe('validate-imaging: a classifier', () => {
  it("gives validate's metrics on the case scores, the analytic AUC, and counts exclusions by reason only", async () => {
    // per node: label 1: 4 with a disc, 2 without; label 0: 2 with, 4 without; plus patients with no CT
    const design = [
      ...Array.from({ length: 4 }, () => [1, true] as const),
      ...Array.from({ length: 2 }, () => [1, false] as const),
      ...Array.from({ length: 2 }, () => [0, true] as const),
      ...Array.from({ length: 4 }, () => [0, false] as const),
    ];
    const columns: ColumnSpec[] = [
      { name: 'patient', type: 'categorical', identifier: true },
      { name: 'y', type: 'integer', min: 0, max: 1 },
      { name: 'p', type: 'numeric', min: 0, max: 1 },
    ];
    const nodes: LocalNode[] = [];
    for (const [name, missing] of [
      ['A', 1],
      ['B', 2],
      ['C', 0],
    ] as const) {
      const cases = design.map(([, disc], i) => discCt(`${name}${i}`, disc));
      const rows = design.map(([y, disc], i) => `${name}${i},${y},${disc ? P_DISC : P_NONE}`);
      for (let m = 0; m < missing; m++) rows.push(`${name}x${m},1,0.5`);
      nodes.push(await node(name, cases, `patient,y,p\n${rows.join('\n')}\n`, columns, detector));
    }
    // node A audits its releases: the classifier's score groups name their cohort records to its ledger
    const ledger = new PrivacyLedger(join(dir, 'ledger-A'));
    nodes[0]!.ledger = ledger;
    const params = {
      model: { onnx: `sha256:${sha(detector)}`, registered: 'disc-detector@1', imaging: CLASSIFIER },
      selection: { modality: 'CT', seriesDescription: 'thorax*' },
      cohort: { dataset: 'cohort', patient: 'patient', label: 'y' },
    };
    const { result } = await runLocalFederation('validate-imaging', params, nodes);
    const r = result as {
      task: string;
      cases: { processed: number; excluded: Array<{ reason: string; count: number | null }> };
      classification: { pooled: Record<string, number> };
      perCentre: Array<{ centre: string; cases: unknown }>;
    };
    expect(r.task).toBe('classification');
    expect(r.cases.processed).toBe(36);
    const booked = ledger.releases().find((x) => x.algorithm.startsWith('validate-imaging') && x.cells > 0);
    expect(booked?.dataset).toBe('cohort');
    ledger.close();
    delete nodes[0]!.ledger;
    // A: one patient without a CT (under the minimum cell count: suppressed); B: two
    expect(r.perCentre.map((c) => c.cases)).toEqual([
      {
        processed: 12,
        excluded: [
          { reason: 'no-series', count: null },
          { reason: 'all reasons', count: null },
        ],
      },
      { processed: 12, excluded: [{ reason: 'no-series', count: 2 }] },
      { processed: 12, excluded: [] },
    ]);
    expect(r.cases.excluded).toEqual([
      { reason: 'all reasons', count: null },
      { reason: 'no-series', count: null },
    ]);
    const pooled = r.classification.pooled;
    // pooled: label 1: 12 discs, 6 none; label 0: 6 discs, 12 none; ties count one half
    expect(pooled.n).toBe(36);
    expect(pooled.events).toBe(18);
    expect(pooled.auc).toBeCloseTo((12 * 12 + 0.5 * (12 * 6 + 6 * 12)) / 324, 12);
    const brier = (12 * (1 - P_DISC) ** 2 + 6 * (1 - P_NONE) ** 2 + 6 * P_DISC ** 2 + 12 * P_NONE ** 2) / 36;
    expect(pooled.brier).toBeCloseTo(brier, 6);
    // the same aggregate as validate on the probabilities as a column (the cohort's `p`)
    const v = await runLocalFederation(
      'validate',
      {
        dataset: 'cohort',
        outcome: 'y',
        model: { score: 'p' },
        filter: { column: 'p', op: 'ne', value: 0.5 },
      },
      nodes,
    );
    const vp = (v.result as { pooled: Record<string, number> }).pooled;
    for (const k of ['auc', 'aucCiLower', 'aucCiUpper', 'brier', 'calibrationSlope', 'calibrationInLarge'])
      expect(pooled[k], k).toBeCloseTo(vp[k] as number, 5);
  }, 60_000);
});

/** A CT of 0 HU with a box of 200 HU at x, y in [4, 10), z in [1, 3); the GTV contour shifted by `shift` voxels in x. */
function boxCase(id: string, shift: number | null, roiName = 'GTV'): SyntheticCase {
  const [nx, ny, nz] = GRID.dims;
  const v = new Float64Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        v[i + nx * (j + ny * k)] = i >= 4 && i < 10 && j >= 4 && j < 10 && k >= 1 && k < 3 ? 200 : 0;
  const ident = newSeriesIdentity(id);
  const ct = writeImageSeries(GRID, v, ident);
  if (shift === null) return { id, ct };
  const s = shift;
  const contours = [1, 2].map((k) => [
    [3.5 + s, 3.5, 2 * k] as const,
    [9.5 + s, 3.5, 2 * k] as const,
    [9.5 + s, 9.5, 2 * k] as const,
    [3.5 + s, 9.5, 2 * k] as const,
  ]);
  return { id, ct, rt: writeRtStruct(ident, [{ number: 1, name: roiName, contours }]) };
}

/** mask = image > 0.75 on [1, 1, D, H, W]. */
const segmenter = buildOnnxModel({
  name: 'threshold-3d',
  inputs: [{ name: 'image', type: 'float32', shape: [1, 1, 'D', 'H', 'W'] }],
  outputs: [{ name: 'mask', type: 'float32', shape: [1, 1, 'D', 'H', 'W'] }],
  initializers: [{ name: 't', type: 'float32', dims: [], values: [0.75] }],
  nodes: [
    { op: 'Greater', inputs: ['image', 't'], outputs: ['above'] },
    { op: 'Cast', inputs: ['above'], outputs: ['mask'], attributes: { to: { i: 1 } } },
  ],
});
const SEGMENTER: ImagingModelSpecInput = {
  input: 'image',
  // window [0, 200] HU: the box -> 1, the rest -> 0.5
  preprocessing: {
    size: [12, 12, 4],
    crop: 'structure',
    intensity: { kind: 'window', center: 100, width: 200 },
  },
  output: { task: 'segmentation', output: 'mask', threshold: 0.5 },
};

describe('validate-imaging: a segmentation model', () => {
  it('releases Dice, HD95 and surface Dice as grouped aggregates, never per case', async () => {
    const columns: ColumnSpec[] = [{ name: 'patient', type: 'categorical', identifier: true }];
    const nodes: LocalNode[] = [];
    for (const name of ['A', 'B', 'C']) {
      const cases = [0, 1, 2, 0, 1, 2].map((s, i) => boxCase(`${name}${i}`, s));
      cases.push(boxCase(`${name}-ctv`, 0, 'CTV'), boxCase(`${name}-ctv2`, 0, 'CTV'));
      const ids = cases.map((c) => c.id);
      nodes.push(await node(name, cases, `patient\n${ids.join('\n')}\n`, columns, segmenter));
    }
    const progress: Array<[number, number]> = [];
    nodes[0]!.progress = (done, total) => progress.push([done, total]);
    const params = {
      model: { onnx: `sha256:${sha(segmenter)}`, imaging: SEGMENTER },
      cohort: { dataset: 'cohort', patient: 'patient' },
      structure: 'GTV',
      tolerances: [1],
    };
    const { result, transcript } = await runLocalFederation('validate-imaging', params, nodes);
    const r = result as {
      task: string;
      cases: unknown;
      segmentation: {
        dice: Record<string, unknown>;
        hd95: Record<string, unknown>;
        surfaceDice: Array<{ tolerance: number; metric: Record<string, unknown> }>;
        emptyPredictions: number;
      };
    };
    expect(r.task).toBe('segmentation');
    // the node's progress over its 8 cases, as its heartbeats would carry it
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => [i, 8]));
    // a total under the node's minimum subset size is not reported (the run is refused anyway)
    const quiet: Array<[number, number]> = [];
    const strict = {
      ...nodes[0]!,
      policy: DisclosurePolicySchema.parse({ minCellCount: 2, minSubsetSize: 9 }),
    };
    strict.progress = (done, total) => quiet.push([done, total]);
    await expect(
      runLocalFederation('validate-imaging', params, [strict, nodes[1]!, nodes[2]!]),
    ).rejects.toThrow(/minimum subset size/);
    expect(quiet).toEqual([]);
    expect(r.cases).toEqual({ processed: 18, excluded: [{ reason: 'no-structure', count: 6 }] });
    const d = r.segmentation.dice;
    // Dice (6 - s) / 6 for shifts 0, 1, 2, six cases each; sums rounded to 0.05 per node (5.0 exactly)
    expect(d.n).toBe(18);
    expect(d.mean).toBeCloseTo(15 / 18, 12);
    // intervals [0.65, 0.7), [0.8, 0.85), [0.95, 1] of 2 cases at each node: quartiles interpolate within them
    const iv = (lo: number, hi: number) => [0, 1, 2].map(() => ({ lo, hi, n: 2 }));
    expect(d.intervals).toEqual([...iv(0.65, 0.7), ...iv(0.8, 0.85), ...iv(0.95, 1)]);
    expect(d.q1).toBeCloseTo(0.6875, 12);
    expect(d.median).toBeCloseTo(0.825, 12);
    expect(d.q3).toBeCloseTo(0.9625, 12);
    expect(d.below).toEqual([
      { threshold: 0.7, atLeast: 6, atMost: 6 },
      { threshold: 0.8, atLeast: 6, atMost: 6 },
    ]);
    // HD95 of the box against itself shifted by s mm in x is s mm (every surface voxel of one within s of the other)
    expect(r.segmentation.hd95.mean).toBeCloseTo(1, 12);
    expect(r.segmentation.emptyPredictions).toBe(0);
    // no per-case number in what the nodes sent: only n, rounded sums and intervals of at least 2 cases
    for (const p of transcript[0] as Array<Record<string, unknown>>) {
      const dice = p.dice as { n: number; sum: number; intervals: Array<{ n: number }> };
      expect(Object.keys(dice).sort()).toEqual(['intervals', 'n', 'sum', 'sumSquares']);
      expect(dice.intervals.every((i) => i.n >= 2)).toBe(true);
    }
  }, 60_000);
});
