// validate-imaging over the node's real DICOM store (de-identification in the worker pool; needs
// `npx tsc -b`): synthetic CT patients with an RT structure set go through the node's intake, the cohort
// table names them by their pseudonyms, an ONNX thresholding segmenter runs in its runner process, and
// the released aggregates equal those of the same pipeline on the original files.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { poolMetric, predictedMask, prepareCase, segMetrics, summariseAtNode } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { buildOnnxModel } from '@fedhub/inference/test-support';
import { DisclosurePolicySchema, ImagingModelSpecSchema } from '@fedhub/protocol';
import { type DicomRoi, parseDicom, readDicomRoi, syntheticCtPatient } from '@fedhub/radiomics';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { resolveDicomConfig } from './dicom-store/dicom-config.js';
import { openDicomStore } from './dicom-store/dicom-store.js';
import { imagingFromDicomStore } from './imaging-source.js';
import { runLocalFederation } from './local-federation.js';

const workerUrl = new URL('../../dicom/dist/deid/pool-worker.js', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'fedhub-validate-imaging-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** mask = image > 0.5 on [1, 1, D, H, W]. */
const segmenter = buildOnnxModel({
  name: 'threshold-3d',
  inputs: [{ name: 'image', type: 'float32', shape: [1, 1, 'D', 'H', 'W'] }],
  outputs: [{ name: 'mask', type: 'uint8', shape: [1, 1, 'D', 'H', 'W'] }],
  initializers: [{ name: 't', type: 'float32', dims: [], values: [0.5] }],
  nodes: [
    { op: 'Greater', inputs: ['image', 't'], outputs: ['above'] },
    { op: 'Cast', inputs: ['above'], outputs: ['mask'], attributes: { to: { i: 2 } } },
  ],
});
// lesions of -20..60 HU in -750 HU: the window [-750, 50] HU puts the lesion above 0.5
const SPEC = ImagingModelSpecSchema.parse({
  input: 'image',
  preprocessing: {
    spacing: [1.5, 1.5, 1.5],
    size: [24, 24, 16],
    crop: 'structure',
    intensity: { kind: 'window', center: -350, width: 800 },
  },
  output: { task: 'segmentation', output: 'mask' },
});

/** The released Dice and HD95 aggregates of the pipeline run in this process, thresholding in JavaScript. */
function expected(rois: DicomRoi[], k: number) {
  const metrics = rois.map((roi) => {
    const c = prepareCase(roi.image, roi.mask, SPEC.preprocessing);
    if ('reason' in c) throw new Error(c.reason);
    const out = Uint8Array.from(c.inputs[0]!.data, (v) => (v > 0.5 ? 1 : 0));
    if (SPEC.output.task !== 'segmentation') throw new Error('a segmentation spec');
    const pred = predictedMask(c, [out], SPEC.output, 'channels-first');
    if ('reason' in pred) throw new Error(pred.reason);
    return segMetrics(pred, c.reference!.data, c.dims, c.spacing, [1, 2]);
  });
  return {
    dice: poolMetric(
      [
        summariseAtNode(
          metrics.map((m) => m.dice),
          'fraction',
          k,
        ),
      ],
      [0.7, 0.8],
    ),
    hd95: poolMetric(
      [
        summariseAtNode(
          metrics.map((m) => m.hd95),
          'mm',
          k,
        ),
      ],
      [5, 10],
    ),
  };
}

describe('validate-imaging over the DICOM store', () => {
  it('gives, from the de-identified store, the aggregates of the original files', async () => {
    const cfg = resolveDicomConfig(
      {
        deidentification: {
          profile: 'basic',
          options: ['retain-long-modified-dates'],
          allowSopClasses: [],
          allowBurnedInAnnotation: false,
          rtStructureNames: true,
        },
        workers: { size: 2, maxMemoryMb: 256, timeoutMs: 20_000 },
        dicomweb: [],
      },
      (p) => resolve(work, p),
      join(work, 'data'),
    );
    const store = await openDicomStore(cfg, { workerUrl });
    const patients = [1, 2, 3, 4, 5, 6].map((seed) => syntheticCtPatient({ patientId: `MRN-${seed}`, seed }));
    for (const p of patients)
      for (const f of [...p.ct, p.rtstruct]) {
        const r = await store.ingest(f, { kind: 'folder', name: 'test' });
        expect(r.status).toBe('stored');
      }
    const imaging = imagingFromDicomStore(store);
    const pseudonyms = [...new Set((await imaging.series()).map((s) => s.patientPseudonym))];
    expect(pseudonyms).toHaveLength(6);
    const cohort = join(work, 'cohort.csv');
    writeFileSync(cohort, `patient\n${pseudonyms.join('\n')}\n`);
    const datasets = await DatasetStore.open([
      {
        name: 'cohort',
        file: cohort,
        format: 'csv',
        columns: [{ name: 'patient', type: 'categorical', identifier: true }],
        onInvalid: 'reject',
      },
    ]);
    const digest = createHash('sha256').update(segmenter).digest('hex');
    try {
      const { result } = await runLocalFederation(
        'validate-imaging',
        {
          model: { onnx: `sha256:${digest}`, imaging: SPEC },
          cohort: { dataset: 'cohort', patient: 'patient' },
          structure: 'GTV',
        },
        [
          {
            id: crypto.randomUUID(),
            name: 'Node',
            datasets,
            keys: generateNodeKeys(),
            policy: DisclosurePolicySchema.parse({ minSubsetSize: 3, minCellCount: 2 }),
            floors: { minNodes: 1, minOrganisations: 1 } /* one node's own store */,
            imaging,
            models: { onnx: async (h) => (h === digest ? segmenter : Promise.reject(new Error('unknown'))) },
          },
        ],
        { secureAggregation: false },
      );
      const r = result as { cases: unknown; segmentation: { dice: unknown; hd95: unknown } };
      expect(r.cases).toEqual({ processed: 6, excluded: [] });
      // the same pipeline on the original files (not through the store), with the threshold in JavaScript
      const want = expected(
        patients.map((p) =>
          readDicomRoi(
            p.ct.map((b, i) => parseDicom(b, `ct ${i}`)),
            parseDicom(p.rtstruct, 'rt'),
            { roi: 'GTV' },
          ),
        ),
        2,
      );
      expect(r.segmentation.dice).toEqual(want.dice);
      expect(r.segmentation.hd95).toEqual(want.hd95);
      expect((want.dice as { mean: number }).mean).toBeGreaterThan(0.7);
    } finally {
      datasets.close();
    }
  }, 120_000);
});
