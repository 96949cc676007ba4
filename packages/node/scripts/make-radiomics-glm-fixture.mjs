// Fixture of the radiomics-extract + glm test (packages/node/src/radiomics-extract.test.ts): a synthetic
// cohort of three nodes (CT + RTSTRUCT per patient from @fedhub/radiomics syntheticCtPatient, outcomes per
// node), the pooled feature table computed from the same DICOM, then R's glm on the pooled table
// (make-radiomics-glm-fixture.R). Run from the repository root after `npx tsc -b packages/radiomics`:
//   node packages/node/scripts/make-radiomics-glm-fixture.mjs && Rscript packages/node/scripts/make-radiomics-glm-fixture.R
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const r = await import(path.resolve(here, '../../radiomics/dist/index.js'));
const out = path.resolve(here, '../fixtures/radiomics-extract');
mkdirSync(out, { recursive: true });

// Seeded uniform generator (mulberry32), for ages and outcomes.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FEATURES = ['morph_volume', 'stat_mean', 'cm_joint_entr_3D_comb'];
const NODES = [
  { name: 'A', imaged: 16, withoutRoi: 1, outcomeOnly: 2 },
  { name: 'B', imaged: 18, withoutRoi: 0, outcomeOnly: 1 },
  { name: 'C', imaged: 20, withoutRoi: 0, outcomeOnly: 0 },
];
const rand = rng(20261129);
const cohort = [];
const pooled = [];
NODES.forEach((node, ni) => {
  const n = node.imaged + node.withoutRoi + node.outcomeOnly;
  for (let i = 0; i < n; i++) {
    const patientId = `${node.name}-${String(i + 1).padStart(3, '0')}`;
    const seed = 1000 * (ni + 1) + i;
    const imaging = i < node.imaged ? 'GTV' : i < node.imaged + node.withoutRoi ? 'Lung' : null;
    const age = Math.round(45 + 35 * rand());
    let lesion = null;
    if (imaging) {
      const p = r.syntheticCtPatient({ patientId, seed, roiName: imaging });
      lesion = p;
      if (imaging === 'GTV') {
        const parse = (b, w) => r.parseDicom(b, w);
        const roi = r.readDicomRoi(
          p.ct.map((b, k) => parse(b, `ct ${k}`)),
          parse(p.rtstruct, 'rtstruct'),
          { roi: 'GTV' },
        );
        const f = r.computeFeatures(roi.image, roi.mask, r.ibsiConfigC).features;
        const row = { patient_id: patientId, node: node.name };
        for (const t of FEATURES) row[t] = f.find((x) => x.tag === t).value;
        pooled.push(row);
      }
    }
    const volume = lesion ? (4 / 3) * Math.PI * lesion.radiusMm ** 3 : 3000;
    const hu = lesion ? lesion.lesionHu : 20;
    const eta = -2 + 0.0004 * volume + 0.01 * (hu - 20) + 0.02 * (age - 60);
    const y = rand() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    cohort.push({ node: node.name, patient_id: patientId, seed, imaging: imaging ?? '', age, y });
  }
});
const csv = (rows, cols) =>
  `${cols.join(',')}\n${rows.map((x) => cols.map((c) => (typeof x[c] === 'number' ? x[c].toPrecision(17) : x[c])).join(',')).join('\n')}\n`;
writeFileSync(
  path.join(out, 'cohort.csv'),
  csv(cohort, ['node', 'patient_id', 'seed', 'imaging', 'age', 'y']),
);
writeFileSync(path.join(out, 'features.csv'), csv(pooled, ['patient_id', 'node', ...FEATURES]));
console.log(`${cohort.length} patients, ${pooled.length} with features`);
