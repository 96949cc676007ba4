import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { runLocalFederation } from '../local-federation.js';
import { doseCoverageReport } from './coverage.js';
import { type DoseImportResult, importDoseFolder, registryDataset } from './import-dose-folder.js';
import { examIdOf } from './registry-rows.js';

/** The repository root: the folder of package-lock.json, walking up from this file. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new Error('no package-lock.json above the test file: cannot find the repository root');
    dir = up;
  }
  return dir;
}

const RDSR = resolve(repoRoot(), '../shared/reference/rdsr');
if (!existsSync(join(RDSR, 'expected.json')))
  throw new Error(
    `reference dose reports missing: ${RDSR}/expected.json (shared/reference/rdsr next to the repository)`,
  );

interface ExpectedStudy {
  studyInstanceUID: string;
  files: string[];
  uniqueEvents: number;
  dlpTotal: number;
  eventUids?: string[];
}
const expected = JSON.parse(readFileSync(join(RDSR, 'expected.json'), 'utf8')) as {
  studies: Record<string, ExpectedStudy>;
};

const work = mkdtempSync(join(tmpdir(), 'fedhub-dose-registry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** All files of a folder (name -> bytes), to compare two registries byte for byte. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile())
      out.set(join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name), 'utf8'));
  }
  return out;
}

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const cols = (head as string).split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('importDoseFolder on the reference dose reports', () => {
  const reg = join(work, 'registry');
  let first: DoseImportResult;
  let second: DoseImportResult;
  let afterFirst: Map<string, string>;

  beforeAll(async () => {
    const progress: number[] = [];
    first = await importDoseFolder(RDSR, reg, { onProgress: (p) => progress.push(p.done) });
    expect(progress.at(-1)).toBe(first.files);
    afterFirst = snapshot(reg);
    second = await importDoseFolder(RDSR, reg);
  });

  it('stores one merged report per Study Instance UID and skips the non-DICOM files with reasons', () => {
    expect(first.totalStudies).toBe(Object.keys(expected.studies).length);
    expect(first.studies.every((s) => s.status === 'added')).toBe(true);
    expect(first.skipped.map((s) => s.file).sort()).toEqual(['README.md', 'expected.json']);
    expect(first.skipped.every((s) => s.code === 'FH_ERR_DOSE_UNREADABLE' && s.reason.length > 0)).toBe(true);
    for (const study of Object.values(expected.studies)) {
      const s = first.studies.find((x) => x.examId === examIdOf(study.studyInstanceUID));
      expect(s, study.studyInstanceUID).toBeDefined();
      expect(s?.events).toBe(study.uniqueEvents);
      expect(s?.dlpTotalMGyCm).toBeCloseTo(study.dlpTotal, 6);
    }
  });

  it('gives the expected merged totals for the cumulative and continued Siemens sets', () => {
    for (const label of ['Siemens-Multi', 'Siemens-Continued']) {
      const study = expected.studies[label] as ExpectedStudy;
      const stored = JSON.parse(
        readFileSync(join(reg, 'studies', `${examIdOf(study.studyInstanceUID)}.json`), 'utf8'),
      );
      expect(stored.studyKey).toBe(study.studyInstanceUID);
      expect(stored.report.events.map((e: { uid: string }) => e.uid)).toEqual(study.eventUids);
      expect(stored.report.totals.eventDlpSumMGyCm).toBeCloseTo(study.dlpTotal, 6);
      expect(stored.report.files.sort()).toEqual([...study.files].sort());
    }
  });

  it('changes nothing when the same folder is imported again', () => {
    expect(second.studies.map((s) => s.status)).toEqual(second.studies.map(() => 'unchanged'));
    expect(second.totalStudies).toBe(first.totalStudies);
    expect(snapshot(reg)).toEqual(afterFirst);
  });

  it('writes one row per exam and phantom for the mapped studies, and lists the unmapped ones', async () => {
    const rows = parseCsv(readFileSync(first.registry.csv, 'utf8'));
    expect(rows.length).toBe(first.rows);
    const mapped = first.studies.filter((s) => s.outcome === 'rows');
    expect(new Set(rows.map((r) => r.exam_id))).toEqual(new Set(mapped.map((s) => s.examId)));
    // Siemens-Multi: three body events; DLP per exam is their sum (236.09 mGy.cm).
    const multi = rows.filter(
      (r) => r.exam_id === examIdOf((expected.studies['Siemens-Multi'] as ExpectedStudy).studyInstanceUID),
    );
    expect(multi.map((r) => [r.phantom, Number(r.dlp_mgycm)])).toEqual([['body32', 236.09]]);
    const coverage = await doseCoverageReport(reg);
    expect(coverage).toEqual(first.coverage);
    expect(coverage.total).toBe(first.totalStudies);
    const unmappedCount = first.studies.filter((s) => s.outcome === 'unmapped').length;
    expect(coverage.unmapped.reduce((a, u) => a + u.count, 0)).toBe(unmappedCount);
  });

  it('writes head and body rows for an exam with both phantoms', async () => {
    // GE VCT holds head and body events; a catch-all rule maps it so both rows appear.
    const rules = join(work, 'all-chest.json');
    writeFileSync(
      rules,
      JSON.stringify({ version: 1, rules: [{ exam: 'chest', field: 'any', pattern: '.' }] }),
    );
    const r = await importDoseFolder(RDSR, join(work, 'catch-all'), { rules });
    const vct = examIdOf((expected.studies['CT-ESR-GE_VCT'] as ExpectedStudy).studyInstanceUID);
    const rows = parseCsv(readFileSync(r.registry.csv, 'utf8')).filter((x) => x.exam_id === vct);
    expect(rows.map((x) => x.phantom).sort()).toEqual(['body32', 'head16']);
    expect(rows.reduce((a, x) => a + Number(x.dlp_mgycm), 0)).toBeCloseTo(2002.39, 6);
  });

  it('refuses a missing folder and a bad rules file, naming them', async () => {
    await expect(importDoseFolder(join(work, 'nope'), reg)).rejects.toThrow(/nope is not a folder/);
    const bad = join(work, 'bad-rules.json');
    writeFileSync(
      bad,
      JSON.stringify({ version: 1, rules: [{ exam: 'elbow', field: 'any', pattern: 'x' }] }),
    );
    await expect(importDoseFolder(RDSR, reg, { rules: bad })).rejects.toMatchObject({
      code: 'FH_ERR_VALIDATION',
      message: expect.stringMatching(/bad-rules\.json.*rules\[0\]\.exam/),
    });
  });
});

describe('the registry file as a node dataset', () => {
  it('loads with DatasetStore and drl-survey runs over it', async () => {
    const rules = join(work, 'all-chest-2.json');
    writeFileSync(
      rules,
      JSON.stringify({ version: 1, rules: [{ exam: 'chest', field: 'any', pattern: '.' }] }),
    );
    const r = await importDoseFolder(RDSR, join(work, 'node-a'), { rules });
    const store = await DatasetStore.open([registryDataset(r.registry)]);
    try {
      expect(store.reports[0]).toMatchObject({ dataset: 'ct_dose', rows: r.rows, excluded: 0 });
      const out = await runLocalFederation('drl-survey', { dataset: 'ct_dose', minN: 5 }, [
        {
          id: 'n1',
          name: 'Site A',
          datasets: store,
          keys: generateNodeKeys(),
          policy: { ...DisclosurePolicySchema.parse({}), minCellCount: 1, minSubsetSize: 1 },
          floors: { minNodes: 1, minOrganisations: 1 } /* a one-node reference run */,
        },
      ]);
      const rows = parseCsv(readFileSync(r.registry.csv, 'utf8')).filter(
        (x) => x.phantom === 'body32' && x.age !== '' && Number(x.age) >= 16,
      );
      const ctdi = rows.map((x) => Number(x.ctdivol_mgy)).sort((a, b) => a - b);
      const mid = ctdi.length / 2;
      const median =
        ctdi.length % 2
          ? (ctdi[Math.floor(mid)] as number)
          : ((ctdi[mid - 1] as number) + (ctdi[mid] as number)) / 2;
      const result = out.result as {
        results: {
          exam: string;
          group: string;
          phantom: string;
          quantity: string;
          facilities: { n: number; median: number }[];
        }[];
      };
      const adultBody = result.results.find(
        (x) =>
          x.exam === 'chest' && x.group === 'adult' && x.phantom === 'body32' && x.quantity === 'ctdivol',
      );
      expect(ctdi.length).toBeGreaterThanOrEqual(5);
      expect(adultBody?.facilities[0]?.n).toBe(ctdi.length);
      expect(adultBody?.facilities[0]?.median).toBeCloseTo(median, 9);
    } finally {
      store.close();
    }
  });
});
