// radiomics-extract over the node's real DICOM store (de-identification in the worker pool; needs
// `npx tsc -b packages/dicom`): the de-identified CT and RT structure set still give the features of the
// original files, and the patients appear under their pseudonyms only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { type ColumnSpec, DisclosurePolicySchema } from '@fedhub/protocol';
import {
  computeFeatures,
  ibsiConfigC,
  parseDicom,
  readDicomRoi,
  syntheticCtPatient,
} from '@fedhub/radiomics';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { resolveDicomConfig } from './dicom-store/dicom-config.js';
import { openDicomStore } from './dicom-store/dicom-store.js';
import { imagingFromDicomStore } from './imaging-source.js';
import { runLocalFederation } from './local-federation.js';

const workerUrl = new URL('../../dicom/dist/deid/pool-worker.js', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'fedhub-imaging-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('imaging source over the DICOM store', () => {
  // The Basic Profile empties ROI Name (PS3.15 Table E.1-1: Z); the Clean Descriptors option keeps it, and
  // the node's intake default (rtStructureNames) applies Clean Descriptors to RT objects only.
  it.each([
    ['clean-descriptors', 'GTV', false],
    ['basic profile', '1', false],
    ['intake default: RT objects through Clean Descriptors', 'GTV', true],
  ])(
    'feeds radiomics-extract with de-identified series that keep geometry and contours (%s, ROI %s)',
    async (profile, roiKey, rtStructureNames) => {
      const cfg = resolveDicomConfig(
        {
          deidentification: {
            profile: 'basic',
            options: [
              'retain-long-modified-dates',
              ...(profile === 'clean-descriptors' ? ['clean-descriptors' as const] : []),
            ],
            allowSopClasses: [],
            allowBurnedInAnnotation: false,
            rtStructureNames,
          },
          workers: { size: 2, maxMemoryMb: 256, timeoutMs: 20_000 },
          dicomweb: [],
        },
        (p) => resolve(work, profile, p),
        join(work, profile, 'data'),
      );
      const store = await openDicomStore(cfg, { workerUrl });
      const source = { kind: 'folder' as const, name: 'test' };
      const patients = [1, 2].map((seed) => syntheticCtPatient({ patientId: `MRN-${seed}`, seed }));
      const datasets = await DatasetStore.open([]);
      try {
        for (const p of patients)
          for (const f of [...p.ct, p.rtstruct]) {
            const r = await store.ingest(f, source);
            expect(r.status, r.status === 'quarantined' ? r.entry.reason : '').toBe('stored');
          }
        const imaging = imagingFromDicomStore(store);
        const series = await imaging.series();
        expect(series.map((s) => s.modality).sort()).toEqual(['CT', 'CT', 'RTSTRUCT', 'RTSTRUCT']);
        expect(series.some((s) => s.patientPseudonym.startsWith('MRN'))).toBe(false);

        const { result } = await runLocalFederation(
          'radiomics-extract',
          { roi: roiKey, output: 'radiomics', features: ['morph_volume', 'stat_mean'] },
          [
            {
              id: crypto.randomUUID(),
              name: 'Node',
              datasets,
              keys: generateNodeKeys(),
              policy: DisclosurePolicySchema.parse({ minSubsetSize: 1, minCellCount: 1 }),
              floors: { minNodes: 1, minOrganisations: 1 } /* one node's own store */,
              imaging,
            },
          ],
          { secureAggregation: false },
        );
        expect((result as { processed: number }).processed).toBe(2);
        const { data } = await datasets.get('radiomics').readColumns(['morph_volume', 'stat_mean']);
        if (profile === 'basic profile') {
          const byName = await runLocalFederation(
            'radiomics-extract',
            { roi: 'GTV', output: 'radiomics_by_name' },
            [
              {
                id: 'n',
                name: 'Node',
                datasets,
                keys: generateNodeKeys(),
                policy: DisclosurePolicySchema.parse({ minSubsetSize: 1, minCellCount: 1 }),
                floors: { minNodes: 1, minOrganisations: 1 } /* one node's own store */,
                imaging,
              },
            ],
            { secureAggregation: false },
          ).catch((e: Error) => e.message);
          expect(byName).toMatch(/fewer than the minimum subset size/);
        }
        const want = patients.map((p) => {
          const roi = readDicomRoi(
            p.ct.map((b, i) => parseDicom(b, `ct ${i}`)),
            parseDicom(p.rtstruct, 'rt'),
            { roi: 'GTV' },
          );
          const f = computeFeatures(roi.image, roi.mask, ibsiConfigC).features;
          return [
            f.find((x) => x.tag === 'morph_volume')?.value,
            f.find((x) => x.tag === 'stat_mean')?.value,
          ];
        });
        const got = [0, 1].map((i) => [
          (data.morph_volume as Float64Array)[i],
          (data.stat_mean as Float64Array)[i],
        ]);
        const key = (x: Array<number | undefined>) => x[0] ?? 0;
        expect(got.sort((a, b) => key(a) - key(b))).toEqual(want.sort((a, b) => key(a) - key(b)));
        const cols: ColumnSpec[] = datasets.get('radiomics').dictionary.columns;
        expect(cols.map((c) => c.name)).toEqual(['patient_pseudonym', 'morph_volume', 'stat_mean']);
      } finally {
        datasets.close();
        await store.close();
      }
    },
    60_000,
  );
});
