/**
 * radiomics-extract over three in-process nodes, each with a small synthetic CT + RTSTRUCT cohort in an
 * imaging store and an outcome dataset; then a federated glm with a radiomics feature as covariate, against
 * R's glm on the pooled feature table (packages/node/scripts/make-radiomics-glm-fixture.{mjs,R}).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImagingSeries, ImagingSource } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { type ColumnSpec, DisclosurePolicySchema } from '@fedhub/protocol';
import { syntheticCtPatient } from '@fedhub/radiomics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const fixtures = fileURLToPath(new URL('../fixtures/radiomics-extract/', import.meta.url));
const FEATURES = ['morph_volume', 'stat_mean', 'cm_joint_entr_3D_comb'];
const dir = mkdtempSync(join(tmpdir(), 'fedhub-radiomics-'));
const nodes: LocalNode[] = [];

function csv(file: string): Array<Record<string, string>> {
  const [head, ...lines] = readFileSync(join(fixtures, file), 'utf8').trim().split('\n');
  const cols = (head as string).split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}
const cohort = csv('cohort.csv');
const pooled = csv('features.csv');
const rGlm = JSON.parse(readFileSync(join(fixtures, 'glm.json'), 'utf8')) as {
  n: number;
  names: string[];
  estimate: number[];
  se: number[];
  deviance: number;
};

/** An in-memory imaging store: the series of each patient's synthetic CT and RT structure set. */
function imagingOf(patients: Array<Record<string, string>>): ImagingSource {
  const files = new Map<string, Uint8Array[]>();
  const series: ImagingSeries[] = [];
  for (const p of patients) {
    if (!p.imaging) continue;
    const id = p.patient_id as string;
    const s = syntheticCtPatient({ patientId: id, seed: Number(p.seed), roiName: p.imaging });
    files.set(`${id}/ct`, s.ct);
    files.set(`${id}/rt`, [s.rtstruct]);
    series.push({
      patientPseudonym: id,
      studyInstanceUid: `${id}/study`,
      seriesInstanceUid: `${id}/ct`,
      modality: 'CT',
    });
    series.push({
      patientPseudonym: id,
      studyInstanceUid: `${id}/study`,
      seriesInstanceUid: `${id}/rt`,
      modality: 'RTSTRUCT',
    });
  }
  return {
    series: async () => series,
    files: async (uid) => files.get(uid) ?? [],
  };
}

const OUTCOMES: ColumnSpec[] = [
  { name: 'patient_id', type: 'categorical', identifier: true },
  { name: 'age', type: 'numeric' },
  { name: 'y', type: 'integer' },
];

beforeAll(async () => {
  for (const name of ['A', 'B', 'C']) {
    const patients = cohort.filter((p) => p.node === name);
    const file = join(dir, `${name}.csv`);
    writeFileSync(
      file,
      `patient_id,age,y\n${patients.map((p) => `${p.patient_id},${p.age},${p.y}`).join('\n')}\n`,
    );
    nodes.push({
      id: crypto.randomUUID(),
      name: `Node ${name}`,
      datasets: await DatasetStore.open([
        { name: 'outcomes', file, format: 'csv', columns: OUTCOMES, onInvalid: 'reject' },
      ]),
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
      imaging: imagingOf(patients),
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('radiomics-extract then glm on the derived dataset', () => {
  it('keeps features at the nodes, releases counts only, and the glm equals R on the pooled table', async () => {
    const params = {
      roi: 'GTV',
      settings: 'ibsi-ct-c',
      output: 'radiomics',
      features: FEATURES,
      join: { dataset: 'outcomes', column: 'patient_id' },
    };
    const { result, transcript } = await runLocalFederation('radiomics-extract', params, nodes);
    const r = result as {
      processed: number;
      nodes: Array<{ node: string; patients: number; processed: number; rows: number; failures: unknown[] }>;
    };
    expect(r.processed).toBe(54);
    expect(r.nodes.map((n) => [n.node, n.patients, n.processed, n.rows])).toEqual([
      ['Node A', 17, 16, 16],
      ['Node B', 18, 18, 18],
      ['Node C', 20, 20, 20],
    ]);
    // one patient of A has no GTV: a count below the minimum cell count is suppressed, the reason kept
    expect(r.nodes[0]?.failures).toEqual([{ reason: 'FH_ERR_RADIOMICS_ROI_NOT_FOUND', count: null }]);
    // nothing but counts, codes and names leaves the nodes
    for (const payload of transcript.flat())
      expect(Object.keys(payload as object).sort()).toEqual(
        ['failures', 'features', 'output', 'patients', 'processed', 'rows', 'settingsHash'].sort(),
      );

    // the derived dataset at each node holds the pooled table's values, joined to its outcomes
    for (const [i, name] of ['A', 'B', 'C'].entries()) {
      const ds = nodes[i]!.datasets.get('radiomics');
      expect(ds.dictionary.columns.map((c) => c.name)).toEqual(['patient_id', 'age', 'y', ...FEATURES]);
      expect(ds.dictionary.columns.find((c) => c.name === 'morph_volume')?.description).toMatch(
        /^IBSI RNU0; family morph \(HCUG\)/,
      );
      const { data } = await ds.readColumns(FEATURES);
      const want = pooled.filter((p) => p.node === name);
      for (const f of FEATURES) {
        const got = [...(data[f] as Float64Array)].sort((a, b) => a - b);
        const ref = want.map((p) => Number(p[f])).sort((a, b) => a - b);
        expect(got.length).toBe(ref.length);
        expect(Math.max(...got.map((v, j) => rel(v, ref[j]!)))).toBeLessThan(1e-12);
      }
    }

    const glm = await runLocalFederation(
      'glm',
      { dataset: 'radiomics', formula: 'y ~ morph_volume + stat_mean + age', family: 'binomial' },
      nodes,
    );
    const g = glm.result as {
      n: number;
      coefficients: Array<{ term: string; estimate: number; stdError: number }>;
      deviance: number;
    };
    expect(g.coefficients.map((c) => c.term)).toEqual(rGlm.names);
    g.coefficients.forEach((c, j) => {
      expect(rel(c.estimate, rGlm.estimate[j]!)).toBeLessThan(1e-6);
      expect(rel(c.stdError, rGlm.se[j]!)).toBeLessThan(1e-6);
    });
    expect(rel(g.deviance, rGlm.deviance)).toBeLessThan(1e-8);
  }, 60_000);

  it('refuses at a node without a DICOM store', async () => {
    const bare = nodes.map(({ imaging: _none, ...n }) => n);
    await expect(
      runLocalFederation('radiomics-extract', { roi: 'GTV', output: 'radiomics2' }, bare),
    ).rejects.toMatchObject({
      code: 'FH_ERR_NODE_REFUSED',
      message: 'Node A: The node has no such dataset',
    });
  });

  it('refuses to replace a declared dataset', async () => {
    await expect(
      runLocalFederation('radiomics-extract', { roi: 'GTV', output: 'outcomes' }, nodes),
    ).rejects.toMatchObject({
      details: { code: 'FH_ERR_ALREADY_EXISTS', details: { parameter: 'output' } },
    });
  });
});
