/**
 * DICOM intake end to end with real peers: dcmtk's storescu/echoscu send to `fedhub dicom serve`, and a real
 * Orthanc (with its DICOMweb plugin) on loopback serves a study that `fedhub dicom pull` fetches over
 * QIDO-RS/WADO-RS with basic auth. Both arrive de-identified in the node's store: no planted identifying
 * string in any stored byte, UID links CT <-> RT Structure Set intact, indexed, quarantine with reasons.
 * Needs `npx tsc -b` (the CLI runs from dist). Skips only when storescu or Orthanc is not installed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StoreIndex } from '@fedhub/node';
import {
  type BuildElement,
  buildDicom,
  CT_IMAGE,
  ctElements,
  RT_STRUCT,
  testPixels,
} from '@fedhub/testkit/dicom-builder';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN, type Started, startFedhubProcess, stopProcess } from '../child-process.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const rdsrDir = resolve(repoRoot, '../shared/reference/rdsr');
const ORTHANC = process.env.FEDHUB_ORTHANC_BIN ?? '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const hasStorescu = existsSync('/usr/bin/storescu') && existsSync('/usr/bin/echoscu');
const hasOrthanc = existsSync(ORTHANC) && existsSync(DICOMWEB_PLUGIN);
if (!hasStorescu)
  console.warn('dicom-intake: skipped storescu tests: dcmtk (storescu, echoscu) not installed');
if (!hasOrthanc)
  console.warn(`dicom-intake: skipped Orthanc test: ${ORTHANC} or its DICOMweb plugin missing`);

const work = mkdtempSync(join(tmpdir(), 'fedhub-intake-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Identifying values planted in the inputs: none may appear in a stored byte.
const PLANTED = ['DOE^JANE', 'MRN0042', 'ST ELSEWHERE HOSPITAL', '19610704', 'ACC-77123', 'DR^WHO'];
const ROOT = '1.2.826.0.1.3680043.2.1143.77';
const STUDY = `${ROOT}.1`;
const CT_SERIES = `${ROOT}.2`;
const FRAME = `${ROOT}.4`;
const ctSop = (i: number) => `${ROOT}.3.${i}`;
const SLICES = 3;

function patient(extra: BuildElement[] = []): BuildElement[] {
  return [
    { tag: 0x00080050, vr: 'SH', value: 'ACC-77123' },
    { tag: 0x00080090, vr: 'PN', value: 'DR^WHO' },
    { tag: 0x00100010, vr: 'PN', value: 'DOE^JANE' },
    { tag: 0x00100020, vr: 'LO', value: 'MRN0042' },
    { tag: 0x00100030, vr: 'DA', value: '19610704' },
    ...extra,
  ];
}

function ctSlice(i: number): Buffer {
  const base = ctElements({
    patientId: 'MRN0042',
    patientName: 'DOE^JANE',
    studyUid: STUDY,
    seriesUid: CT_SERIES,
    sopUid: ctSop(i),
    frameOfReferenceUid: FRAME,
    pixels: testPixels(16, 16, i + 1),
    rows: 16,
    cols: 16,
  }).filter((e) => ![0x00100010, 0x00100020, 0x00100030].includes(e.tag));
  return buildDicom(
    [
      ...base,
      ...patient([
        { tag: 0x0008103e, vr: 'LO', value: 'HEAD DOE^JANE' },
        { tag: 0x00200013, vr: 'IS', value: String(i + 1) },
      ]),
    ],
    { sopClassUid: CT_IMAGE, sopInstanceUid: ctSop(i) },
  );
}

function rtStruct(): Buffer {
  const sop = `${ROOT}.9`;
  return buildDicom(
    [
      { tag: 0x00080016, vr: 'UI', value: RT_STRUCT },
      { tag: 0x00080018, vr: 'UI', value: sop },
      { tag: 0x00080020, vr: 'DA', value: '20240315' },
      { tag: 0x00080060, vr: 'CS', value: 'RTSTRUCT' },
      ...patient(),
      { tag: 0x0020000d, vr: 'UI', value: STUDY },
      { tag: 0x0020000e, vr: 'UI', value: `${ROOT}.8` },
      {
        tag: 0x30060010,
        vr: 'SQ',
        items: [
          [
            { tag: 0x00200052, vr: 'UI', value: FRAME },
            {
              tag: 0x30060012,
              vr: 'SQ',
              items: [
                [
                  { tag: 0x00081150, vr: 'UI', value: '1.2.840.10008.3.1.2.3.1' },
                  { tag: 0x00081155, vr: 'UI', value: STUDY },
                  {
                    tag: 0x30060014,
                    vr: 'SQ',
                    items: [
                      [
                        { tag: 0x0020000e, vr: 'UI', value: CT_SERIES },
                        {
                          tag: 0x30060016,
                          vr: 'SQ',
                          items: Array.from({ length: SLICES }, (_, i) => [
                            { tag: 0x00081150, vr: 'UI', value: CT_IMAGE },
                            { tag: 0x00081155, vr: 'UI', value: ctSop(i) },
                          ]),
                        },
                      ],
                    ],
                  },
                ],
              ],
            },
          ],
        ],
      },
      {
        tag: 0x30060020,
        vr: 'SQ',
        items: [
          [
            { tag: 0x30060022, vr: 'IS', value: '1' },
            { tag: 0x30060024, vr: 'UI', value: FRAME },
            { tag: 0x30060026, vr: 'LO', value: 'GTV' },
          ],
        ],
      },
    ],
    { sopClassUid: RT_STRUCT, sopInstanceUid: sop },
  );
}

function secondaryCapture(): Buffer {
  const sop = `${ROOT}.20`;
  return buildDicom(
    [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
      { tag: 0x00080018, vr: 'UI', value: sop },
      { tag: 0x00080060, vr: 'CS', value: 'OT' },
      ...patient(),
      { tag: 0x0020000d, vr: 'UI', value: STUDY },
      { tag: 0x0020000e, vr: 'UI', value: `${ROOT}.21` },
    ],
    { sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: sop },
  );
}

/** A CT whose private sequence nests 100 deep: dcmtk reads and sends it, our parser refuses it (limit 64). */
function deeplyNested(): Buffer {
  let inner: BuildElement[] = [{ tag: 0x00091010, vr: 'LO', value: 'x' }];
  for (let d = 0; d < 100; d++)
    inner = [
      { tag: 0x00090010, vr: 'LO', value: 'ACME' },
      { tag: 0x00091011, vr: 'SQ', items: [inner] },
    ];
  const sop = `${ROOT}.30`;
  return buildDicom(
    [
      { tag: 0x00080016, vr: 'UI', value: CT_IMAGE },
      { tag: 0x00080018, vr: 'UI', value: sop },
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      ...inner,
      ...patient(),
      { tag: 0x0020000d, vr: 'UI', value: STUDY },
      { tag: 0x0020000e, vr: 'UI', value: `${ROOT}.31` },
    ],
    { sopClassUid: CT_IMAGE, sopInstanceUid: sop },
  );
}

type Dict = Record<string, { Value?: unknown[] }>;
function readDict(b: Buffer): Dict {
  return dcmjs.data.DicomMessage.readFile(
    b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
  ).dict as Dict;
}
const v = (d: Dict | undefined, tag: string) => String(d?.[tag]?.Value?.[0] ?? '');
const item = (d: Dict | undefined, tag: string) => d?.[tag]?.Value?.[0] as Dict | undefined;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function writeConfig(dir: string, dicom: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'node.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      hub: { url: 'http://127.0.0.1:9' },
      dataDir: './data',
      log: { level: 'warn' },
      dicom: { workers: { size: 2, maxMemoryMb: 256, timeoutMs: 20000 }, ...dicom },
    }),
  );
  return file;
}

function assertDeidentified(dataDir: string, index: StoreIndex): void {
  for (const i of index.find()) {
    const bytes = readFileSync(join(dataDir, 'dicom-store', i.path));
    for (const s of PLANTED) expect(bytes.includes(Buffer.from(s)), `${s} in ${i.path}`).toBe(false);
  }
}

describe.skipIf(!hasStorescu)('fedhub dicom serve with dcmtk storescu', () => {
  const dir = join(work, 'serve');
  let server: Started;
  let port = 0;
  const files: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    const cfg = writeConfig(dir, {
      listener: { aeTitle: 'FEDHUB', port, host: '127.0.0.1', allowedCallingAeTitles: ['PACS'] },
    });
    const inDir = join(work, 'to-send');
    mkdirSync(inDir, { recursive: true });
    for (let i = 0; i < SLICES; i++) {
      files.push(join(inDir, `ct-${i}.dcm`));
      writeFileSync(join(inDir, `ct-${i}.dcm`), ctSlice(i));
    }
    writeFileSync(join(inDir, 'rtstruct.dcm'), rtStruct());
    writeFileSync(join(inDir, 'sc.dcm'), secondaryCapture());
    writeFileSync(join(inDir, 'deep.dcm'), deeplyNested());
    server = await startFedhubProcess(
      ['dicom', 'serve', '--config', cfg, '--json'],
      join(work, 'serve.log'),
      30_000,
    );
  });
  afterAll(async () => {
    if (server) await stopProcess(server.child);
  });

  it('answers C-ECHO and refuses a calling AE title it does not know', async () => {
    expect(server.ready).toMatchObject({ event: 'listening', port });
    await run('echoscu', ['-aet', 'PACS', '-aec', 'FEDHUB', '127.0.0.1', String(port)]);
    const refused = await run('storescu', [
      '-aet',
      'INTRUDER',
      '-aec',
      'FEDHUB',
      '127.0.0.1',
      String(port),
      files[0] as string,
    ]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused, 'storescu from an unknown AE must fail').not.toBeNull();
    expect(refused?.stderr).toMatch(/Calling AE Title Not Recognized|Association Rejected/i);
  });

  it('stores a CT study and its RT structure set de-identified, linked and indexed', async () => {
    const inDir = join(work, 'to-send');
    await run('storescu', [
      '-aet',
      'PACS',
      '-aec',
      'FEDHUB',
      '127.0.0.1',
      String(port),
      ...files,
      join(inDir, 'rtstruct.dcm'),
    ]);
    const index = new StoreIndex(join(dir, 'data', 'dicom-store', 'index.sqlite'));
    try {
      const ct = index.find({ modality: 'CT' });
      const rs = index.find({ modality: 'RTSTRUCT' });
      expect(ct).toHaveLength(SLICES);
      expect(rs).toHaveLength(1);
      expect(new Set(ct.map((i) => i.seriesInstanceUid)).size).toBe(1);
      const c0 = ct[0]!;
      expect(c0.sourceKind).toBe('c-store');
      expect(c0.source).toBe('PACS');
      expect(c0.patientPseudonym).toBe(rs[0]!.patientPseudonym);
      expect(c0.studyInstanceUid).toBe(rs[0]!.studyInstanceUid);
      expect(c0.studyInstanceUid).not.toBe(STUDY);
      expect(c0.studyDate).toMatch(/^\d{8}$/);
      expect(c0.studyDate).not.toBe('20240315');
      expect(index.find({ seriesInstanceUid: c0.seriesInstanceUid })).toHaveLength(SLICES);
      expect(index.find({ patientPseudonym: c0.patientPseudonym })).toHaveLength(SLICES + 1);
      assertDeidentified(join(dir, 'data'), index);
      // RT structure set -> CT references point at the CT's new UIDs.
      const r = readDict(readFileSync(join(dir, 'data', 'dicom-store', rs[0]!.path)));
      const refSeries = item(item(item(r, '30060010'), '30060012'), '30060014');
      expect(v(refSeries, '0020000E')).toBe(c0.seriesInstanceUid);
      const contourRefs = (refSeries?.['30060016']?.Value ?? []) as Dict[];
      expect(contourRefs.map((d) => v(d, '00081155')).sort()).toEqual(ct.map((i) => i.sopInstanceUid).sort());
      // Sending the same study again changes nothing.
      await run('storescu', ['-aet', 'PACS', '-aec', 'FEDHUB', '127.0.0.1', String(port), ...files]);
      expect(index.counts().instances).toBe(SLICES + 1);
    } finally {
      index.close();
    }
  });

  it('quarantines secondary capture by policy and an over-deep file as unreadable, and stays up', async () => {
    const inDir = join(work, 'to-send');
    const sent = await run('storescu', [
      '-v',
      '-aet',
      'PACS',
      '-aec',
      'FEDHUB',
      '127.0.0.1',
      String(port),
      join(inDir, 'sc.dcm'),
      join(inDir, 'deep.dcm'),
    ]).then(
      (r) => r.stderr + r.stdout,
      (e: { stderr: string; stdout: string }) => e.stderr + e.stdout,
    );
    // The policy-quarantined file was taken; the unreadable one is answered 0xC000 (Cannot understand).
    expect(sent).toMatch(/\(MsgID 1, SC\)\s+I: Received Store Response \(Success\)/);
    expect(sent).toMatch(/\(MsgID 2, CT\)\s+I: Received Store Response \(Error: CannotUnderstand\)/);
    const index = new StoreIndex(join(dir, 'data', 'dicom-store', 'index.sqlite'));
    try {
      const q = index.quarantined();
      expect(q.map((e) => e.code).sort()).toEqual(['FH_ERR_DICOM_TOO_DEEP', 'FH_QUAR_SOP_CLASS']);
      for (const e of q) expect(existsSync(join(dir, 'data', 'dicom-store', e.path))).toBe(true);
      expect(index.find({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7' })).toHaveLength(0);
    } finally {
      index.close();
    }
    await run('echoscu', ['-aet', 'PACS', '-aec', 'FEDHUB', '127.0.0.1', String(port)]);
  });
});

describe.skipIf(!hasOrthanc)('fedhub dicom pull from Orthanc over DICOMweb', () => {
  const dir = join(work, 'pull');
  let orthanc: ReturnType<typeof spawn> | undefined;
  let httpPort = 0;
  const auth = `Basic ${Buffer.from('fedhub:s3cret-pw').toString('base64')}`;

  beforeAll(async () => {
    httpPort = await freePort();
    const dicomPort = await freePort();
    const od = join(work, 'orthanc');
    mkdirSync(od, { recursive: true });
    writeFileSync(
      join(od, 'orthanc.json'),
      JSON.stringify({
        Name: 'fedhub-test',
        StorageDirectory: join(od, 'storage'),
        IndexDirectory: join(od, 'index'),
        HttpPort: httpPort,
        DicomPort: dicomPort,
        RemoteAccessAllowed: false,
        AuthenticationEnabled: true,
        RegisteredUsers: { fedhub: 's3cret-pw' },
        Plugins: [DICOMWEB_PLUGIN],
        DicomWeb: { Enable: true, Root: '/dicom-web/' },
        ConcurrentJobs: 1,
      }),
    );
    orthanc = spawn(ORTHANC, [join(od, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const log: Buffer[] = [];
    orthanc.stderr?.on('data', (b: Buffer) => log.push(b));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${httpPort}/system`, {
        headers: { authorization: auth },
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || orthanc.exitCode !== null)
        throw new Error(`Orthanc did not start: ${Buffer.concat(log).toString().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const uploads = [...Array.from({ length: SLICES }, (_, i) => ctSlice(i)), rtStruct()];
    const rdsr = join(rdsrDir, 'CT-RDSR-Siemens_Flash-TAP-SS.dcm');
    if (existsSync(rdsr)) uploads.push(readFileSync(rdsr));
    for (const body of uploads) {
      const r = await fetch(`http://127.0.0.1:${httpPort}/instances`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/dicom' },
        body: new Uint8Array(body),
      });
      expect(r.ok, `Orthanc refused an upload: HTTP ${r.status}`).toBe(true);
    }
  });
  afterAll(async () => {
    if (orthanc && orthanc.exitCode === null) {
      const exited = new Promise((r) => orthanc?.once('exit', r));
      orthanc.kill('SIGTERM');
      await exited;
    }
  });

  it('pulls a study with QIDO-RS/WADO-RS (basic auth) into the store, de-identified; again changes nothing', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pacs.pass'), 's3cret-pw\n');
    const cfg = writeConfig(dir, {
      dicomweb: [
        {
          name: 'orthanc',
          url: `http://127.0.0.1:${httpPort}/dicom-web`,
          auth: { type: 'basic', username: 'fedhub', passwordFile: './pacs.pass' },
        },
      ],
    });
    const pull = async (query: string[]) => {
      const { stdout, stderr } = await run(process.execPath, [
        FEDHUB_BIN,
        'dicom',
        'pull',
        '--config',
        cfg,
        '--source',
        'orthanc',
        ...query,
        '--json',
      ]);
      expect(stderr).not.toContain('s3cret-pw');
      return JSON.parse(stdout) as { studies: number; instances: number; stored: number; duplicates: number };
    };
    const first = await pull(['--study', STUDY]);
    expect(first).toMatchObject({ studies: 1, instances: SLICES + 1, stored: SLICES + 1 });
    const index = new StoreIndex(join(dir, 'data', 'dicom-store', 'index.sqlite'));
    try {
      const ct = index.find({ modality: 'CT' });
      expect(ct).toHaveLength(SLICES);
      expect(ct[0]?.sourceKind).toBe('dicomweb');
      expect(ct[0]?.source).toBe(`http://127.0.0.1:${httpPort}/dicom-web`);
      expect(index.find({ modality: 'RTSTRUCT' })).toHaveLength(1);
      assertDeidentified(join(dir, 'data'), index);
    } finally {
      index.close();
    }
    // The same study found by patient and date instead: nothing new.
    const again = await pull(['--patient', 'MRN0042', '--since', '2024-03-01']);
    expect(await pull(['--patient', 'MRN0042', '--since', '2024-03-16'])).toMatchObject({
      studies: 0,
      instances: 0,
    });
    expect(again).toMatchObject({ instances: SLICES + 1, stored: 0, duplicates: SLICES + 1 });

    // A dose report pulled by modality lands in the store flagged and in the dose registry.
    if (existsSync(join(rdsrDir, 'CT-RDSR-Siemens_Flash-TAP-SS.dcm'))) {
      const { stdout } = await run(process.execPath, [
        FEDHUB_BIN,
        'dicom',
        'pull',
        '--config',
        cfg,
        '--source',
        'orthanc',
        '--modality',
        'SR',
        '--json',
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ stored: 1 });
      const ls = await run(process.execPath, [
        FEDHUB_BIN,
        'dicom',
        'ls',
        '--config',
        cfg,
        '--dose-reports',
        '--json',
      ]);
      const doses = JSON.parse(ls.stdout) as Array<{ doseReport: boolean; modality: string }>;
      expect(doses).toHaveLength(1);
      expect(doses[0]).toMatchObject({ doseReport: true, modality: 'SR' });
      const csv = readFileSync(join(dir, 'data', 'dose-registry', 'ct_dose.csv'), 'utf8');
      expect(csv.trim().split('\n').length).toBeGreaterThan(1);
    }
  });

  it('says which source is unknown and refuses a wrong password without printing it', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.pass'), 'wrong-pw\n');
    const cfg = writeConfig(join(dir, 'bad'), {
      dicomweb: [
        {
          name: 'orthanc',
          url: `http://127.0.0.1:${httpPort}/dicom-web`,
          auth: { type: 'basic', username: 'fedhub', passwordFile: '../bad.pass' },
        },
      ],
    });
    const fail = (args: string[]) =>
      run(process.execPath, [FEDHUB_BIN, 'dicom', 'pull', '--config', cfg, ...args]).then(
        () => {
          throw new Error('expected failure');
        },
        (e: { stderr: string }) => e.stderr,
      );
    expect(await fail(['--source', 'nope', '--study', STUDY])).toMatch(/FH_ERR_NOT_FOUND.*nope/);
    const denied = await fail(['--source', 'orthanc', '--study', STUDY]);
    expect(denied).toMatch(/FH_ERR_FORBIDDEN.*HTTP 401/);
    expect(denied).not.toContain('wrong-pw');
  });
});

describe('fedhub dicom import', () => {
  it('imports a folder into the store through de-identification and lists it', async () => {
    const dir = join(work, 'import');
    const inDir = join(dir, 'in', 'DOE^JANE');
    mkdirSync(inDir, { recursive: true });
    for (let i = 0; i < SLICES; i++) writeFileSync(join(inDir, `ct-${i}.dcm`), ctSlice(i));
    writeFileSync(join(inDir, 'rtstruct.dcm'), rtStruct());
    writeFileSync(join(inDir, 'sc.dcm'), secondaryCapture());
    const cfg = writeConfig(dir, {});
    const { stdout } = await run(process.execPath, [
      FEDHUB_BIN,
      'dicom',
      'import',
      join(dir, 'in'),
      '--config',
      cfg,
      '--json',
    ]);
    const r = JSON.parse(stdout) as {
      files: number;
      stored: number;
      quarantined: number;
      failures: unknown[];
    };
    expect(r).toMatchObject({ files: SLICES + 2, stored: SLICES + 1, quarantined: 1 });
    expect(r.failures).toEqual([
      {
        file: join('DOE^JANE', 'sc.dcm'),
        code: 'FH_QUAR_SOP_CLASS',
        reason: expect.stringContaining('Secondary'),
      },
    ]);
    const ls = await run(process.execPath, [FEDHUB_BIN, 'dicom', 'ls', '--config', cfg, '--json']);
    const series = JSON.parse(ls.stdout) as Array<{ modality: string; instances: number }>;
    expect(series.map((s) => [s.modality, s.instances]).sort()).toEqual([
      ['CT', SLICES],
      ['RTSTRUCT', 1],
    ]);
    expect(ls.stdout).not.toContain('DOE');
    const index = new StoreIndex(join(dir, 'data', 'dicom-store', 'index.sqlite'));
    try {
      expect(index.find()[0]?.source).toBe(join(dir, 'in'));
      assertDeidentified(join(dir, 'data'), index);
    } finally {
      index.close();
    }
  });
});

describe.skipIf(!hasStorescu)('fedhub node start with a dicom listener', () => {
  it('listens for the PACS beside the agent, even while the hub is still unreachable, and stops with it', async () => {
    const dir = join(work, 'node-start');
    const port = await freePort();
    const hubPort = await freePort(); // nothing listens there: the agent keeps retrying its enrolment
    const cfg = join(dir, 'node.yaml');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      cfg,
      JSON.stringify({
        hub: { url: `http://127.0.0.1:${hubPort}`, enrolmentToken: 'fhe_not_used' },
        dataDir: './data',
        log: { level: 'warn' },
        dicom: {
          workers: { size: 1, maxMemoryMb: 256, timeoutMs: 20000 },
          listener: { aeTitle: 'FEDHUB', port, host: '127.0.0.1', allowedCallingAeTitles: ['PACS'] },
        },
      }),
    );
    const child = spawn(process.execPath, [FEDHUB_BIN, 'node', 'start', '--config', cfg], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ok = await run('echoscu', ['-aet', 'PACS', '-aec', 'FEDHUB', '127.0.0.1', String(port)]).then(
          () => true,
          () => false,
        );
        if (ok) break;
        expect(child.exitCode, 'fedhub node start exited').toBeNull();
        expect(Date.now() < deadline, 'no DICOM listener within 30 s').toBe(true);
        await new Promise((r) => setTimeout(r, 250));
      }
      writeFileSync(join(dir, 'ct.dcm'), ctSlice(0));
      await run('storescu', [
        '-aet',
        'PACS',
        '-aec',
        'FEDHUB',
        '127.0.0.1',
        String(port),
        join(dir, 'ct.dcm'),
      ]);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const closed = await run('echoscu', ['-aet', 'PACS', '-aec', 'FEDHUB', '127.0.0.1', String(port)]).then(
      () => false,
      () => true,
    );
    expect(closed, 'the listener stops with the node').toBe(true);
    const index = new StoreIndex(join(dir, 'data', 'dicom-store', 'index.sqlite'));
    try {
      expect(index.find({ modality: 'CT' })).toHaveLength(1);
      assertDeidentified(join(dir, 'data'), index);
    } finally {
      index.close();
    }
  });
});
