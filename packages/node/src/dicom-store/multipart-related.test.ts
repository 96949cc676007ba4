// The multipart/related reader on bodies cut into chunks at every size (the network decides where chunks
// end), with part bodies that contain near-delimiters; Orthanc's WADO-RS answers are read in the intake test.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boundaryOf, readMultipart } from './multipart-related.js';

const B = 'fh-7d1a9c';

function body(parts: Buffer[], opts: { preamble?: string; epilogue?: string } = {}): Buffer {
  const out: Buffer[] = [Buffer.from(opts.preamble ?? '')];
  for (const p of parts)
    out.push(
      Buffer.from(`--${B}\r\nContent-Type: application/dicom\r\nContent-Length: ${p.length}\r\n\r\n`),
      p,
      Buffer.from('\r\n'),
    );
  out.push(Buffer.from(`--${B}--\r\n${opts.epilogue ?? ''}`));
  return Buffer.concat(out);
}

async function* chunks(b: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function collect(b: Buffer, size: number, max?: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of readMultipart(chunks(b, size), B, max)) out.push(p.body);
  return out;
}

describe('readMultipart', () => {
  const parts = [
    Buffer.concat([Buffer.from(`DICM\r\n--${B.slice(0, 5)}\r\n--`), randomBytes(300)]),
    Buffer.alloc(0),
    Buffer.from(`\r\n\r\n-${B}`),
    randomBytes(1000),
  ];
  const whole = body(parts, { preamble: 'ignored preamble\r\n', epilogue: 'ignored epilogue' });

  it('yields the same parts whatever the chunk size', async () => {
    for (const size of [1, 2, 3, 7, 13, 64, 511, whole.length]) {
      const got = await collect(whole, size);
      expect(
        got.map((p) => p.toString('hex')),
        `chunk size ${size}`,
      ).toEqual(parts.map((p) => p.toString('hex')));
    }
  });

  it('reads part headers, and a part without headers', async () => {
    const raw = Buffer.from(
      `--${B}\r\n\r\nabc\r\n--${B}\r\nContent-Type: application/dicom\r\n\r\nxyz\r\n--${B}--`,
    );
    const got: Array<{ h: Record<string, string>; b: string }> = [];
    for await (const p of readMultipart(chunks(raw, 4), B))
      got.push({ h: { ...p.headers }, b: p.body.toString() });
    expect(got).toEqual([
      { h: {}, b: 'abc' },
      { h: { 'content-type': 'application/dicom' }, b: 'xyz' },
    ]);
  });

  it('refuses a body cut before its closing delimiter, and a part over the size limit', async () => {
    await expect(collect(whole.subarray(0, whole.length - 30), 100)).rejects.toMatchObject({
      code: 'FH_ERR_VALIDATION',
    });
    await expect(collect(whole, 100, 500)).rejects.toMatchObject({ code: 'FH_ERR_PAYLOAD_TOO_LARGE' });
  });

  it('takes the boundary from Content-Type, quoted or not', () => {
    expect(boundaryOf(`multipart/related; type="application/dicom"; boundary="${B}"`)).toBe(B);
    expect(boundaryOf(`multipart/related; boundary=${B}; type=application/dicom`)).toBe(B);
    expect(() => boundaryOf('application/json')).toThrow(/multipart/);
  });
});
