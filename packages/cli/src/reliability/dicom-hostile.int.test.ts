/**
 * A malformed corpus against the node's C-STORE listener: protocol garbage on the port (random bytes, a
 * PDU claiming 4 GiB, a truncated association request, connections opened and dropped, a hundred idle
 * connections), and instances that dcmtk's storescu will send but that are wrong inside (no Study UID,
 * pixel data shorter than rows x columns, a 60 KiB patient name, a truncated dataset, an undefined-length
 * element never closed). After each, the listener still answers C-ECHO; what cannot be indexed is not.
 * Skips when dcmtk is not installed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type CStoreListener,
  type DicomStore,
  openDicomStore,
  resolveDicomConfig,
  startCStoreListener,
} from '@fedhub/node';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const hasDcmtk = existsSync('/usr/bin/storescu') && existsSync('/usr/bin/echoscu');
const workerUrl = new URL('../../../dicom/dist/deid/pool-worker.js', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'fedhub-dicom-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const uid = (i: number) => `1.2.826.0.1.3680043.2.1143.77.${i}`;

function ct(i: number, over: { rows?: number; pixels?: Uint8Array; name?: string; noStudy?: boolean } = {}) {
  const n = 8;
  const elements = ctElements({
    patientId: `HOSTILE${i}`,
    patientName: over.name ?? 'DOE^JANE',
    studyUid: uid(1000 + i),
    seriesUid: uid(2000 + i),
    sopUid: uid(i),
    frameOfReferenceUid: uid(9999),
    pixels: over.pixels ?? testPixels(n, n, i + 1),
    rows: over.rows ?? n,
    cols: n,
  });
  return buildDicom(over.noStudy ? elements.filter((e) => e.tag !== 0x0020000d) : elements, {
    sopClassUid: CT_IMAGE,
    sopInstanceUid: uid(i),
  });
}

describe.skipIf(!hasDcmtk)('malformed input to the C-STORE listener', () => {
  let store: DicomStore;
  let listener: CStoreListener;

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
        aeTitle: 'NODE_H',
        port: 0,
        host: '127.0.0.1',
        allowedCallingAeTitles: ['MODALITY'],
        acceptedSopClasses: [CT_IMAGE],
        maxInstanceBytes: 1024 * 1024,
      },
      store,
      onEvent: () => undefined,
    });
  });
  afterAll(async () => {
    await listener?.close();
    await store?.close();
  });

  const echo = async () => {
    const r = await run(
      'echoscu',
      ['-aet', 'MODALITY', '-aec', 'NODE_H', '127.0.0.1', String(listener.port)],
      {
        timeout: 20_000,
      },
    ).then(
      () => true,
      () => false,
    );
    return r;
  };
  const raw = (bytes: Buffer, holdMs = 200) =>
    new Promise<void>((done) => {
      const s = connect(listener.port, '127.0.0.1', () => {
        s.write(bytes);
        setTimeout(() => s.destroy(), holdMs);
      });
      s.on('error', () => undefined);
      s.on('close', () => done());
    });
  const send = (name: string, bytes: Buffer) => {
    const p = join(work, name);
    writeFileSync(p, bytes);
    return run('storescu', ['-aet', 'MODALITY', '-aec', 'NODE_H', '127.0.0.1', String(listener.port), p], {
      timeout: 30_000,
    }).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  };

  it('stays up through protocol garbage', async () => {
    expect(await echo()).toBe(true);
    const header = (type: number, length: number) => {
      const b = Buffer.alloc(6);
      b.writeUInt8(type, 0);
      b.writeUInt32BE(length >>> 0, 2);
      return b;
    };
    const corpus: Array<[string, () => Promise<void>]> = [
      ['64 KiB of random bytes', () => raw(randomBytes(64 * 1024))],
      [
        'an A-ASSOCIATE-RQ claiming 4 GiB',
        () => raw(Buffer.concat([header(1, 0xffffffff), randomBytes(1024)])),
      ],
      ['a truncated A-ASSOCIATE-RQ', () => raw(Buffer.concat([header(1, 68), Buffer.from([0, 1, 0, 0])]))],
      ['a P-DATA-TF before any association', () => raw(Buffer.concat([header(4, 12), randomBytes(12)]))],
      ['an unknown PDU type', () => raw(Buffer.concat([header(0x7f, 4), randomBytes(4)]))],
      ['a connection opened and dropped', () => raw(Buffer.alloc(0), 0)],
      [
        'a hundred idle connections',
        () => Promise.all(Array.from({ length: 100 }, () => raw(Buffer.alloc(0), 500))).then(() => undefined),
      ],
    ];
    for (const [label, attack] of corpus) {
      await attack();
      expect(await echo(), `C-ECHO after ${label}`).toBe(true);
    }
  }, 120_000);

  it('indexes nothing it cannot read and stays up through malformed instances', async () => {
    const good = ct(1);
    const corpus: Array<[string, Buffer]> = [
      ['no Study Instance UID', ct(2, { noStudy: true })],
      ['pixel data shorter than rows x columns', ct(3, { rows: 512 })],
      ['a 60 KiB patient name', ct(4, { name: 'X'.repeat(60 * 1024) })],
      ['a dataset cut in the middle', good.subarray(0, good.length - 70)],
      [
        'an undefined-length sequence never closed',
        Buffer.concat([
          ct(5),
          Buffer.from([0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff]),
          Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]),
          randomBytes(64),
        ]),
      ],
    ];
    const outputs: string[] = [];
    for (const [label, bytes] of corpus) {
      outputs.push(`${label}: ${(await send(`${label.replace(/\W+/g, '-')}.dcm`, bytes)).slice(0, 200)}`);
      expect(await echo(), `C-ECHO after ${label}`).toBe(true);
    }
    // a good instance still goes in afterwards
    await send('good.dcm', good);
    expect(await echo()).toBe(true);
    const counts = store.counts();
    // indexed: the good one, and two whose faults only show when pixels are read (short pixel data, a
    // long but well-formed name); quarantined: the one without a Study UID; the truncated and unclosed
    // datasets are neither
    expect(counts).toEqual({ instances: 3, quarantined: 1, doseReports: 0 });
    console.info(`dicom hostile: ${corpus.length} malformed instances sent; store ${JSON.stringify(counts)}`);
  }, 120_000);
});
