/**
 * dvh-extract over two in-process nodes whose DICOM stores hold analytic phantom patients (RT Dose with a
 * linear gradient, RT Structure Set with a sphere and a cylinder): the derived tables at the nodes against
 * the closed-form values, structure names from the node's TG-263 mapping, counts only released.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImagingSeries, ImagingSource } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { exactVolumeCc, newRtIdentity, type Shape, writePhantom, writeRtStruct } from '@fedhub/rt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-dvh-'));
const nodes: LocalNode[] = [];
const sphere: Shape = { kind: 'sphere', centre: [0, 0, 0], radius: 12 };
const cylinder: Shape = { kind: 'cylinder', centre: [0, 30, 0], radius: 8, length: 24 };
// patient i: dose = base_i + 0.5 y + 0.3 z, so mean doses are base_i (sphere) and base_i + 15 (cylinder)
const base = (node: number, i: number) => 20 + 3 * i + node;

function imagingOf(node: number, count: number): ImagingSource {
  const files = new Map<string, Uint8Array[]>();
  const series: ImagingSeries[] = [];
  for (let i = 0; i < count; i++) {
    const id = `N${node}P${i}`;
    const { files: rt } = writePhantom({
      patientId: id,
      structures: [
        { name: 'PTV', shape: sphere, interpretedType: 'PTV' },
        { name: 'rectum', shape: cylinder },
      ],
      dose: (p) => base(node, i) + 0.5 * p[1] + 0.3 * p[2],
    });
    // the last patient's structure set is on another frame of reference: refused, counted
    const rs =
      i === count - 1
        ? writeRtStruct(newRtIdentity(id), [{ number: 1, name: 'PTV', contours: [] }])
        : rt[1]!.bytes;
    files.set(`${id}/dose`, [rt[0]!.bytes]);
    files.set(`${id}/rs`, [rs]);
    for (const [uid, modality] of [
      [`${id}/dose`, 'RTDOSE'],
      [`${id}/rs`, 'RTSTRUCT'],
    ] as const)
      series.push({
        patientPseudonym: id,
        studyInstanceUid: `${id}/study`,
        seriesInstanceUid: uid,
        modality,
      });
  }
  return {
    series: async () => series,
    files: async (uid) => files.get(uid) ?? [],
    structureNames: { rectum: 'Rectum' },
  };
}

beforeAll(async () => {
  for (const n of [0, 1]) {
    const file = join(dir, `outcomes-${n}.csv`);
    writeFileSync(
      file,
      `patient_id,y\n${Array.from({ length: 7 }, (_, i) => `N${n}P${i},${i % 2}`).join('\n')}\n`,
    );
    nodes.push({
      id: crypto.randomUUID(),
      name: `Node ${n}`,
      datasets: await DatasetStore.open([
        {
          name: 'outcomes',
          file,
          format: 'csv',
          columns: [
            { name: 'patient_id', type: 'categorical', identifier: true },
            { name: 'y', type: 'integer' },
          ],
          onInvalid: 'reject',
        },
      ]),
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({ minCellCount: 3, minSubsetSize: 5 }),
      // a test of the DVH extraction, not of the node floors
      floors: { minNodes: 1, minOrganisations: 1 },
      imaging: imagingOf(n, 7),
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dvh-extract', () => {
  it('keeps DVH metrics and differential DVHs at the nodes, joined to the outcomes; releases counts only', async () => {
    const params = {
      output: 'dvh',
      differentialOutput: 'dvh_diff',
      binGy: 0.5,
      metrics: ['V30Gy%', 'gEUD(n=0.25)'],
      join: { dataset: 'outcomes', column: 'patient_id' },
      samples: 200_000,
    };
    const { result, transcript } = await runLocalFederation('dvh-extract', params, nodes, {
      secureAggregation: false,
    });
    expect(result).toMatchObject({ algorithm: 'dvh-extract', processed: 12, patients: 14 });
    for (const payload of transcript.flat()) {
      expect(Object.keys(payload as object).sort()).toEqual(
        ['differentialRows', 'failures', 'output', 'patients', 'processed', 'rows'].sort(),
      );
      // one refused patient per node: below the minimum cell count, the reason kept, the count not
      expect((payload as { failures: unknown }).failures).toEqual([
        { reason: 'FH_ERR_RT_FRAME_MISMATCH', count: null },
      ]);
    }
    for (const [n, node] of nodes.entries()) {
      const ds = node.datasets.get('dvh');
      expect(ds.dictionary.columns.map((c) => c.name)).toEqual([
        'patient_id',
        'y',
        'structure',
        'volume_cc',
        'mean_gy',
        'min_gy',
        'max_gy',
        'd98_gy',
        'd95_gy',
        'd50_gy',
        'd2_gy',
        'd0_03cc_gy',
        'v30gy_pct',
        'geud_n_0_25',
      ]);
      const { data } = await ds.readColumns(
        ['patient_id', 'structure', 'volume_cc', 'mean_gy', 'v30gy_pct'],
        undefined,
        {
          groupKeys: ['patient_id'],
        },
      );
      const ids = data.patient_id as string[];
      expect(ids.length).toBe(12);
      ids.forEach((id, r) => {
        const i = Number(id.split('P')[1]);
        const rectum = (data.structure as string[])[r] === 'Rectum';
        expect(['PTV', 'Rectum']).toContain((data.structure as string[])[r]);
        const want = base(n, i) + (rectum ? 15 : 0);
        expect(Math.abs((data.mean_gy as Float64Array)[r]! / want - 1)).toBeLessThan(0.005);
        const vol = exactVolumeCc(rectum ? cylinder : sphere);
        expect(Math.abs((data.volume_cc as Float64Array)[r]! / vol - 1)).toBeLessThan(0.03);
      });
      // the long table: fractions sum to 1 per patient and structure, and give back the mean dose
      const diff = node.datasets.get('dvh_diff');
      const d = await diff.readColumns(
        ['patient_id', 'structure', 'dose_gy', 'volume'],
        {
          column: 'structure',
          op: 'eq',
          value: 'Rectum',
        },
        { groupKeys: ['patient_id'] },
      );
      const sums = new Map<string, { v: number; dv: number }>();
      (d.data.patient_id as string[]).forEach((id, r) => {
        const s = sums.get(id) ?? { v: 0, dv: 0 };
        s.v += (d.data.volume as Float64Array)[r]!;
        s.dv += (d.data.volume as Float64Array)[r]! * (d.data.dose_gy as Float64Array)[r]!;
        sums.set(id, s);
      });
      expect(sums.size).toBe(6);
      for (const [id, s] of sums) {
        expect(s.v).toBeCloseTo(1, 9);
        expect(Math.abs(s.dv / (base(n, Number(id.split('P')[1])) + 15) - 1)).toBeLessThan(0.005);
      }
    }
  });
});
