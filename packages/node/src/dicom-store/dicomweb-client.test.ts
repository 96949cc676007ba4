// The DICOMweb client against a loopback HTTP server that behaves like a strict PACS: bearer token required,
// the transfer-syntax=* parameter refused (406), an empty QIDO answer as 204. Orthanc itself is the peer of
// the end-to-end pull test (packages/cli/src/commands/dicom-intake.int.test.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebClient, pullFromDicomWeb } from './dicomweb-pull.js';

const seen: Array<{ url: string; accept: string }> = [];
let server: Server;
let base = '';

function reply(req: IncomingMessage): { status: number; type?: string; body?: Buffer } {
  if (req.headers.authorization !== 'Bearer t0k3n') return { status: 401 };
  const url = new URL(req.url ?? '/', 'http://x');
  const accept = req.headers.accept ?? '';
  if (url.pathname === '/dw/studies')
    return url.searchParams.get('PatientID') === 'NOBODY'
      ? { status: 204 }
      : {
          status: 200,
          type: 'application/dicom+json',
          body: Buffer.from(JSON.stringify([{ '0020000D': { vr: 'UI', Value: ['1.2.3'] } }])),
        };
  if (url.pathname === '/dw/studies/1.2.3/series')
    return {
      status: 200,
      type: 'application/dicom+json',
      body: Buffer.from(
        JSON.stringify([
          { '0020000E': { vr: 'UI', Value: ['1.2.3.1'] }, '00201209': { vr: 'IS', Value: [2] } },
        ]),
      ),
    };
  if (url.pathname === '/dw/studies/1.2.3/series/1.2.3.1') {
    if (accept.includes('transfer-syntax=*')) return { status: 406 };
    const b = 'b0undary';
    return {
      status: 200,
      type: `multipart/related; type="application/dicom"; boundary=${b}`,
      body: Buffer.from(
        `--${b}\r\nContent-Type: application/dicom\r\n\r\nFIRST\r\n--${b}\r\nContent-Type: application/dicom\r\n\r\nSECOND\r\n--${b}--`,
      ),
    };
  }
  return { status: 404 };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', accept: req.headers.accept ?? '' });
    const r = reply(req);
    res.writeHead(r.status, r.type ? { 'content-type': r.type } : {});
    res.end(r.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/dw`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('DicomWebClient', () => {
  const source = () => ({ name: 'pacs', url: base, timeoutMs: 5000, authorization: 'Bearer t0k3n' });

  it('finds studies and series (with instance counts) and retrieves a series, falling back when 406', async () => {
    const c = new DicomWebClient(source());
    expect(await c.findStudies({ modality: 'CT', since: '2024-01-31' })).toEqual(['1.2.3']);
    const q = new URL(seen.at(-1)?.url ?? '', 'http://x').searchParams;
    expect(q.get('ModalitiesInStudy')).toBe('CT');
    expect(q.get('StudyDate')).toBe('20240131-');
    expect(await c.findStudies({ patientId: 'NOBODY' })).toEqual([]);
    expect(await c.findSeries('1.2.3', 'CT')).toEqual([{ uid: '1.2.3.1', instances: 2 }]);
    const parts: string[] = [];
    for await (const p of c.retrieveSeries('1.2.3', '1.2.3.1')) parts.push(p.toString());
    expect(parts).toEqual(['FIRST', 'SECOND']);
    expect(seen.slice(-2).map((s) => s.accept)).toEqual([
      'multipart/related; type="application/dicom"; transfer-syntax=*',
      'multipart/related; type="application/dicom"',
    ]);
  });

  it('says which source refused, without the token', async () => {
    const c = new DicomWebClient({ ...source(), authorization: 'Bearer wrong-token' });
    const err = await c.findStudies({ modality: 'CT' }).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'FH_ERR_FORBIDDEN', message: expect.stringContaining('"pacs"') });
    expect((err as Error).message).not.toContain('wrong-token');
  });

  it('refuses a pull with no filter at all', async () => {
    await expect(pullFromDicomWeb(source(), {}, {} as never)).rejects.toMatchObject({
      code: 'FH_ERR_VALIDATION',
    });
  });
});
