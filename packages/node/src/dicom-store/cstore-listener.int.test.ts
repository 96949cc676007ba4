// The C-STORE listener in process against dcmtk's storescu: association rules (called AE title, SOP classes
// not accepted), the size limit per instance, and several senders at once. Needs the compiled worker
// (`npx tsc -b packages/dicom`); skips only when storescu is not installed.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildDicom, CT_IMAGE, ctElements, RT_STRUCT, testPixels } from '@fedhub/testkit/dicom-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CStoreListener, type ListenerEvent, startCStoreListener } from './cstore-listener.js';
import { resolveDicomConfig } from './dicom-config.js';
import { type DicomStore, openDicomStore } from './dicom-store.js';

const run = promisify(execFile);
const hasStorescu = existsSync('/usr/bin/storescu');
if (!hasStorescu) console.warn('cstore-listener: skipped: dcmtk storescu not installed');
const workerUrl = new URL('../../../dicom/dist/deid/pool-worker.js', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'fedhub-cstore-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ct(i: number, n = 8): Buffer {
  const sop = `1.2.826.0.1.3680043.2.1143.66.3.${i}`;
  return buildDicom(
    ctElements({
      patientId: `P${i % 3}`,
      patientName: 'ROE^RICHARD',
      studyUid: `1.2.826.0.1.3680043.2.1143.66.1.${i % 3}`,
      seriesUid: `1.2.826.0.1.3680043.2.1143.66.2.${i % 3}`,
      sopUid: sop,
      frameOfReferenceUid: '1.2.826.0.1.3680043.2.1143.66.4',
      pixels: testPixels(n, n, i + 1),
      rows: n,
      cols: n,
    }),
    { sopClassUid: CT_IMAGE, sopInstanceUid: sop },
  );
}

describe.skipIf(!hasStorescu)('C-STORE listener', () => {
  let store: DicomStore;
  let listener: CStoreListener;
  const events: ListenerEvent[] = [];
  const file = (name: string, b: Buffer) => {
    const p = join(work, name);
    writeFileSync(p, b);
    return p;
  };
  const send = (aec: string, files: string[]) =>
    run('storescu', [
      '-v',
      '-aet',
      'MODALITY',
      '-aec',
      aec,
      '127.0.0.1',
      String(listener.port),
      ...files,
    ]).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout: string; stderr: string }) => ({ ok: false, out: e.stdout + e.stderr }),
    );

  beforeAll(async () => {
    const cfg = resolveDicomConfig(
      {
        deidentification: {
          profile: 'basic',
          options: [],
          allowSopClasses: [],
          allowBurnedInAnnotation: false,
          rtStructureNames: false, // as before the option existed: RT descriptors emptied
        },
        workers: { size: 2, maxMemoryMb: 256, timeoutMs: 20_000 },
        dicomweb: [],
      },
      (p) => resolve(work, p),
      join(work, 'data'),
    );
    store = await openDicomStore(cfg, { workerUrl });
    listener = await startCStoreListener({
      listener: {
        aeTitle: 'NODE_A',
        port: 0,
        host: '127.0.0.1',
        allowedCallingAeTitles: ['MODALITY'],
        acceptedSopClasses: [CT_IMAGE],
        maxInstanceBytes: 4096,
      },
      store,
      onEvent: (e) => events.push(e),
    });
  });
  afterAll(async () => {
    await listener?.close();
    await store?.close();
  });

  it('refuses an association addressed to another AE title', async () => {
    const r = await send('SOMEONE_ELSE', [file('a.dcm', ct(0))]);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/Called AE Title Not Recognized/i);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'association-rejected', callingAeTitle: 'MODALITY' }),
    );
  });

  it('does not accept SOP classes outside its list, and refuses instances over the size limit', async () => {
    const rs = buildDicom(
      [
        { tag: 0x00080016, vr: 'UI', value: RT_STRUCT },
        { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.2.1143.66.9' },
        { tag: 0x00100020, vr: 'LO', value: 'P0' },
      ],
      { sopClassUid: RT_STRUCT, sopInstanceUid: '1.2.826.0.1.3680043.2.1143.66.9' },
    );
    const r1 = await send('NODE_A', [file('rs.dcm', rs)]);
    expect(r1.out).toMatch(
      /No presentation context|no acceptable presentation context|Abstract Syntax Not Supported/i,
    );
    const r2 = await send('NODE_A', [file('big.dcm', ct(50, 64))]);
    expect(r2.out).toMatch(/Refused: OutOfResources|A700/i);
    expect(store.counts()).toEqual({ instances: 0, quarantined: 0, doseReports: 0 });
  });

  it('takes several senders at once', async () => {
    const files = Array.from({ length: 12 }, (_, i) => file(`ct${i}.dcm`, ct(i)));
    const results = await Promise.all(
      [0, 1, 2].map((k) =>
        send(
          'NODE_A',
          files.filter((_, i) => i % 3 === k),
        ),
      ),
    );
    for (const r of results) expect(r.ok, r.out).toBe(true);
    expect(store.counts().instances).toBe(12);
    expect(store.series().map((s) => s.instances)).toEqual([4, 4, 4]);
  });
});
