// The C-STORE listener over TLS (DICOM PS3.15 B.1) against dcmtk's storescu: a sender with a certificate
// of the configured CA stores over TLS; a plain TCP sender and an anonymous TLS sender (no certificate)
// are refused and store nothing. Certificates are made by openssl in the test. Needs the compiled worker
// (`npx tsc -b packages/dicom`); skips only when storescu or openssl is not installed.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CStoreListener, type ListenerEvent, startCStoreListener } from './cstore-listener.js';
import { DicomConfigSchema, resolveDicomConfig } from './dicom-config.js';
import { type DicomStore, openDicomStore } from './dicom-store.js';

const run = promisify(execFile);
const ready = existsSync('/usr/bin/storescu') && existsSync('/usr/bin/openssl');
if (!ready) console.warn('cstore-listener-tls: skipped: dcmtk storescu or openssl not installed');
const workerUrl = new URL('../../../dicom/dist/deid/pool-worker.js', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'fedhub-cstore-tls-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const at = (f: string) => join(work, f);

async function certificates() {
  const ssl = (...args: string[]) => run('openssl', args, { cwd: work });
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=fedhub test CA',
  );
  for (const who of ['node', 'modality']) {
    await ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
      '-subj',
      `/CN=${who}`,
    );
    await ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.crt`,
      '-days',
      '2',
    );
  }
}

function ct(i: number): Buffer {
  const sop = `1.2.826.0.1.3680043.2.1143.77.3.${i}`;
  return buildDicom(
    ctElements({
      patientId: `P${i}`,
      patientName: 'ROE^RICHARD',
      studyUid: `1.2.826.0.1.3680043.2.1143.77.1.${i}`,
      seriesUid: `1.2.826.0.1.3680043.2.1143.77.2.${i}`,
      sopUid: sop,
      frameOfReferenceUid: '1.2.826.0.1.3680043.2.1143.77.4',
      pixels: testPixels(8, 8, i + 1),
      rows: 8,
      cols: 8,
    }),
    { sopClassUid: CT_IMAGE, sopInstanceUid: sop },
  );
}

describe.skipIf(!ready)('C-STORE listener over TLS', () => {
  let store: DicomStore;
  let listener: CStoreListener;
  const events: ListenerEvent[] = [];
  const send = (tls: string[], i: number) => {
    const file = at(`ct${i}.dcm`);
    writeFileSync(file, ct(i));
    return run(
      'storescu',
      ['-aet', 'MODALITY', '-aec', 'NODE_A', ...tls, '127.0.0.1', String(listener.port), file],
      {
        timeout: 20_000,
      },
    ).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout: string; stderr: string }) => ({ ok: false, out: e.stdout + e.stderr }),
    );
  };

  beforeAll(async () => {
    await certificates();
    mkdirSync(at('data'), { recursive: true });
    const cfg = resolveDicomConfig(
      DicomConfigSchema.parse({
        deidentification: { profile: 'basic' },
        workers: { size: 1, maxMemoryMb: 256, timeoutMs: 20_000 },
        listener: {
          aeTitle: 'NODE_A',
          port: 1,
          allowedCallingAeTitles: ['MODALITY'],
          acceptedSopClasses: [CT_IMAGE],
          tls: { key: 'node.key', cert: 'node.crt', ca: 'ca.crt', requireClientCertificate: true },
        },
      }),
      (p) => resolve(work, p),
      at('data'),
    );
    store = await openDicomStore(cfg, { workerUrl });
    listener = await startCStoreListener({
      listener: { ...cfg.listener!, port: 0, host: '127.0.0.1' },
      store,
      onEvent: (e) => events.push(e),
    });
  });
  afterAll(async () => {
    await listener?.close();
    await store?.close();
  });

  it('stores from a sender with a certificate of the configured CA', async () => {
    const r = await send(['+tls', at('modality.key'), at('modality.crt'), '+cf', at('ca.crt')], 1);
    expect(r.ok, r.out).toBe(true);
    expect(store.counts().instances).toBe(1);
  });

  it('refuses a plain TCP sender and an anonymous TLS sender; nothing more is stored', async () => {
    const plain = await send([], 2);
    expect(plain.ok).toBe(false);
    const anonymous = await send(['+tla', '+cf', at('ca.crt')], 3);
    expect(anonymous.ok).toBe(false);
    expect(store.counts().instances).toBe(1);
  });
});
