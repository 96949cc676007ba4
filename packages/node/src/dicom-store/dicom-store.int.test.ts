// The node's DICOM store in process, over the compiled de-identification worker (build first:
// `npx tsc -b packages/dicom`): folder import, quarantine with reasons, idempotent re-ingest, replacement,
// the query API, the dose registry hand-off, the encrypted re-identification map and key checks.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveDeidKey, loadProjectKey, openReidMap } from '@fedhub/dicom';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDicomConfig } from './dicom-config.js';
import { openDicomStore } from './dicom-store.js';
import { importDicomFolder } from './folder-import.js';

const workerUrl = new URL('../../../dicom/dist/deid/pool-worker.js', import.meta.url);
const rdsr = resolve(fileURLToPath(new URL('../../../../', import.meta.url)), '../shared/reference/rdsr');
const work = mkdtempSync(join(tmpdir(), 'fedhub-dicom-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ct(i: number, patientId = 'MRN0042', seed = i + 1): Buffer {
  const sop = `1.2.826.0.1.3680043.2.1143.55.3.${i}`;
  return buildDicom(
    ctElements({
      patientId,
      patientName: 'DOE^JANE',
      studyUid: `1.2.826.0.1.3680043.2.1143.55.1.${patientId.length}`,
      seriesUid: `1.2.826.0.1.3680043.2.1143.55.2.${patientId.length}`,
      sopUid: sop,
      frameOfReferenceUid: '1.2.826.0.1.3680043.2.1143.55.4',
      pixels: testPixels(8, 8, seed),
      rows: 8,
      cols: 8,
    }),
    { sopClassUid: CT_IMAGE, sopInstanceUid: sop },
  );
}

function config(dir: string, keyFile?: string) {
  return resolveDicomConfig(
    {
      deidentification: {
        profile: 'basic',
        options: ['retain-long-modified-dates'],
        allowSopClasses: [],
        allowBurnedInAnnotation: false,
        rtStructureNames: false, // as before the option existed: RT descriptors emptied
      },
      workers: { size: 2, maxMemoryMb: 256, timeoutMs: 20_000 },
      dicomweb: [],
      ...(keyFile ? { keyFile } : {}),
    },
    (p) => resolve(dir, p),
    join(dir, 'data'),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('DICOM store', () => {
  it('has the compiled worker', () => {
    expect(existsSync(workerUrl), 'run `npx tsc -b packages/dicom` first').toBe(true);
  });

  it('imports a folder: stores, quarantines with reasons, indexes, queries, and is idempotent', async () => {
    const dir = join(work, 'a');
    const input = join(dir, 'in');
    mkdirSync(join(input, 'DOE^JANE'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(input, 'DOE^JANE', `ct${i}.dcm`), ct(i));
    writeFileSync(join(input, 'other.dcm'), ct(7, 'MRN9'));
    writeFileSync(join(input, 'truncated.dcm'), ct(3).subarray(0, 400));
    writeFileSync(join(input, 'notes.txt'), 'not dicom at all');
    const dose = join(rdsr, 'CT-RDSR-Siemens_Flash-TAP-SS.dcm');
    const haveDose = existsSync(dose);
    if (haveDose) writeFileSync(join(input, 'dose.dcm'), readFileSync(dose));

    const cfg = config(dir);
    const store = await openDicomStore(cfg, { workerUrl });
    try {
      const r = await importDicomFolder(input, store, { concurrency: 2 });
      expect(r.files).toBe(haveDose ? 7 : 6);
      expect(r.stored).toBe(haveDose ? 5 : 4);
      expect(r.quarantined).toBe(2);
      expect(r.failures.map((f) => [f.file, f.code])).toEqual([
        ['notes.txt', 'FH_ERR_DICOM_NOT_DICOM'],
        ['truncated.dcm', 'FH_ERR_DICOM_TRUNCATED'],
      ]);

      const cts = store.find({ modality: 'CT' });
      expect(cts).toHaveLength(4);
      expect(new Set(cts.map((i) => i.patientPseudonym)).size).toBe(2);
      const series = store.series({ modality: 'CT' });
      expect(series.map((s) => s.instances).sort()).toEqual([1, 3]);
      const big = series.find((s) => s.instances === 3);
      expect(store.find({ seriesInstanceUid: big?.seriesInstanceUid })).toHaveLength(3);
      expect(store.find({ patientPseudonym: big?.patientPseudonym, modality: 'CT' })).toHaveLength(3);
      for (const i of cts) {
        expect(i.sourceKind).toBe('folder');
        expect(i.source).toBe(input);
        expect(i.studyDate).toMatch(/^\d{8}$/);
        expect(i.studyDate).not.toBe('20240315');
        const bytes = await store.read(i);
        for (const s of ['DOE^JANE', 'MRN0042', 'ST ELSEWHERE HOSPITAL', '19610704'])
          expect(bytes.includes(Buffer.from(s))).toBe(false);
        expect(i.path).toBe(join('objects', i.sha256.slice(0, 2), `${i.sha256}.dcm`));
      }
      // Quarantine holds the input as received, with the reason in the index.
      const q = store.quarantined();
      expect(q.map((e) => e.code).sort()).toEqual(['FH_ERR_DICOM_NOT_DICOM', 'FH_ERR_DICOM_TRUNCATED']);
      for (const e of q) expect(readFileSync(store.pathOf(e)).length).toBe(e.size);
      // Nothing half-written: no temporary file anywhere, and only stored instances under objects/.
      expect(filesUnder(store.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(filesUnder(join(store.dir, 'objects'))).toHaveLength(r.stored);

      if (haveDose) {
        const doses = store.find({ doseReport: true });
        expect(doses).toHaveLength(1);
        expect(doses[0]?.modality).toBe('SR');
        expect(store.find({ doseReport: false })).toHaveLength(4);
        const csv = readFileSync(join(dir, 'data', 'dose-registry', 'ct_dose.csv'), 'utf8');
        expect(csv.trim().split('\n').length).toBeGreaterThan(1);
      }

      const again = await importDicomFolder(input, store);
      expect(again).toMatchObject({ stored: 0, duplicates: r.stored, quarantined: 2 });
      expect(store.counts()).toEqual({ instances: r.stored, quarantined: 2, doseReports: haveDose ? 1 : 0 });
    } finally {
      await store.close();
    }

    // The re-identification map is encrypted under the project key and maps pseudonyms back.
    const key = await loadProjectKey(cfg.keyFile);
    const sealed = readFileSync(join(cfg.storeDir, 'reid-map.sealed'));
    expect(sealed.includes(Buffer.from('MRN0042'))).toBe(false);
    const map = openReidMap(sealed, deriveDeidKey(key));
    expect([...map.values()]).toEqual(expect.arrayContaining(['MRN0042', 'MRN9']));
    expect(map.size).toBe(haveDose ? 3 : 2);
  });

  it('replaces a re-sent instance whose content changed, and the same source over another route is a duplicate', async () => {
    const dir = join(work, 'b');
    const store = await openDicomStore(config(dir), { workerUrl });
    try {
      const a = await store.ingest(ct(0), { kind: 'c-store', name: 'PACS' });
      expect(a.status).toBe('stored');
      const same = await store.ingest(ct(0), { kind: 'folder', name: '/x' });
      expect(same.status).toBe('duplicate');
      const changed = await store.ingest(ct(0, 'MRN0042', 99), { kind: 'dicomweb', name: 'http://pacs' });
      expect(changed.status).toBe('replaced');
      if (a.status !== 'stored' || changed.status !== 'replaced') throw new Error('unexpected');
      expect(changed.instance.sopInstanceUid).toBe(a.instance.sopInstanceUid);
      expect(existsSync(store.pathOf(a.instance))).toBe(false);
      expect(existsSync(store.pathOf(changed.instance))).toBe(true);
      expect(store.counts().instances).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('quarantines an instance without its UIDs instead of indexing it', async () => {
    const dir = join(work, 'd');
    const store = await openDicomStore(config(dir), { workerUrl });
    try {
      const noSeries = buildDicom(
        [
          { tag: 0x00080016, vr: 'UI', value: CT_IMAGE },
          { tag: 0x00080060, vr: 'CS', value: 'CT' },
          { tag: 0x00100020, vr: 'LO', value: 'MRN0042' },
          { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.2.1143.55.1.9' },
        ],
        { sopClassUid: CT_IMAGE, sopInstanceUid: '' },
      );
      const r = await store.ingest(noSeries, { kind: 'folder', name: '/x' });
      expect(r).toMatchObject({ status: 'quarantined', entry: { code: 'FH_QUAR_MISSING_UID' } });
      expect(store.counts()).toMatchObject({ instances: 0, quarantined: 1 });
    } finally {
      await store.close();
    }
  });

  it('keeps every pseudonym when two processes add patients to one store at once', async () => {
    const dir = join(work, 'e');
    const cfg = config(dir);
    const a = await openDicomStore(cfg, { workerUrl });
    const b = await openDicomStore(cfg, { workerUrl });
    try {
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? a : b).ingest(ct(i, `MRN-${'x'.repeat(i)}`), { kind: 'folder', name: '/x' }),
        ),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const map = openReidMap(
      readFileSync(join(cfg.storeDir, 'reid-map.sealed')),
      deriveDeidKey(await loadProjectKey(cfg.keyFile)),
    );
    expect(map.size).toBe(6);
    expect(readdirSync(cfg.storeDir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('refuses to open a store under another project key', async () => {
    const dir = join(work, 'c');
    const store = await openDicomStore(config(dir), { workerUrl });
    await store.ingest(ct(0), { kind: 'c-store', name: 'PACS' });
    await store.close();
    const other = join(dir, 'other.key');
    writeFileSync(other, Buffer.alloc(32, 7).toString('hex'));
    await expect(openDicomStore(config(dir, other), { workerUrl })).rejects.toMatchObject({
      code: 'FH_ERR_VALIDATION',
      message: expect.stringMatching(/re-identification map cannot be opened/),
    });
  });
});
