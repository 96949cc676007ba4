// The worker pool runs the compiled worker (packages/dicom/dist/deid/pool-worker.js): build first with
// `npx tsc -b packages/dicom`.
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
import { join, relative } from 'node:path';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { deidentifyTree } from './deidentify-file.js';
import { BASIC_PROFILE, DOSE_MONITORING_PROFILE } from './options.js';
import { createDeidPool } from './pool.js';

const workerUrl = new URL('../../dist/deid/pool-worker.js', import.meta.url);
const KEY = Buffer.alloc(32, 0x21);

function ct(n: number): Buffer {
  return buildDicom(
    ctElements({
      patientId: 'P',
      patientName: 'A^B',
      studyUid: '1.3.1',
      seriesUid: '1.3.2',
      sopUid: '1.3.3',
      frameOfReferenceUid: '1.3.4',
      pixels: testPixels(n, n),
      rows: n,
      cols: n,
    }),
    { sopClassUid: CT_IMAGE, sopInstanceUid: '1.3.3' },
  );
}

describe('createDeidPool', () => {
  it('has the compiled worker', () => {
    expect(
      existsSync(workerUrl),
      'dist/deid/pool-worker.js missing: run `npx tsc -b packages/dicom` first',
    ).toBe(true);
  });

  it('de-identifies in workers, rejects hostile input, and recovers from a timed-out worker', async () => {
    const pool = createDeidPool({ maxMemoryMb: 128, timeoutMs: 5_000, size: 2, workerUrl });
    try {
      const [a, b] = await Promise.all([
        pool.deidentify(ct(16), BASIC_PROFILE, KEY),
        pool.deidentify(Buffer.from('MZ not dicom'), BASIC_PROFILE, KEY),
      ]);
      expect(a.status).toBe('ok');
      if (a.status === 'ok') expect(Buffer.isBuffer(a.output)).toBe(true);
      expect(b.status).toBe('rejected');
    } finally {
      await pool.close();
    }
    // Many tiny elements make many JS objects: a worker over its heap limit dies, the pool answers and recovers.
    const heavy = Buffer.concat([
      ct(4),
      ...Array.from({ length: 8 }, (_, g) => {
        const b = Buffer.alloc(0xef00 * 12);
        for (let e = 0; e < 0xef00; e++) {
          b.writeUInt16LE(0x7fe1 + 2 * g, e * 12);
          b.writeUInt16LE(0x1000 + e, e * 12 + 2);
          b.write('LO', e * 12 + 4, 'latin1');
          b.writeUInt16LE(4, e * 12 + 6);
          b.write('abcd', e * 12 + 8, 'latin1');
        }
        return b;
      }),
    ]);
    const small = createDeidPool({ maxMemoryMb: 16, timeoutMs: 20_000, size: 1, workerUrl });
    try {
      const dead = await small.deidentify(heavy, BASIC_PROFILE, KEY);
      expect(dead.status === 'rejected' ? dead.code : dead.status).toBe('FH_ERR_DEID_WORKER_CRASHED');
      expect((await small.deidentify(ct(8), BASIC_PROFILE, KEY)).status).toBe('ok');
    } finally {
      await small.close();
    }
    const tight = createDeidPool({ maxMemoryMb: 128, timeoutMs: 1, size: 1, workerUrl });
    try {
      const slow = await tight.deidentify(ct(2048), BASIC_PROFILE, KEY);
      expect(slow.status).toBe('rejected');
      expect(slow.status === 'rejected' ? slow.code : '').toBe('FH_ERR_DEID_WORKER_TIMEOUT');
    } finally {
      await tight.close();
    }
  });
});

describe('createDeidPool setups', () => {
  it('applies each job its own options and key, interleaved, in fresh or shared objects', async () => {
    // a worker is sent a setup (options, key) once and then only its number: a mix-up would apply the wrong
    // profile or key; every answer must equal the in-thread result for its own setup
    const other = Buffer.alloc(32, 0x44);
    const setups = [
      { options: BASIC_PROFILE, key: KEY },
      { options: DOSE_MONITORING_PROFILE, key: KEY },
      { options: BASIC_PROFILE, key: other },
      { options: { ...BASIC_PROFILE }, key: Buffer.from(KEY) }, // equal content, fresh objects
    ];
    const input = ct(8);
    const pool = createDeidPool({ size: 2, workerUrl });
    try {
      const jobs = Array.from({ length: 24 }, (_, i) => setups[i % setups.length]!);
      const results = await Promise.all(jobs.map((s) => pool.deidentify(input, s.options, s.key)));
      const expected = setups.map((s) => {
        const r = deidentifyBuffer(input, s.options, s.key);
        if (r.status !== 'ok') throw new Error(r.reason);
        return r.output;
      });
      expect(expected[0]!.equals(expected[1]!)).toBe(false);
      expect(expected[0]!.equals(expected[2]!)).toBe(false);
      expect(expected[0]!.equals(expected[3]!)).toBe(true);
      results.forEach((r, i) => {
        expect(r.status).toBe('ok');
        if (r.status === 'ok') expect(r.output.equals(expected[i % setups.length]!), `job ${i}`).toBe(true);
      });
    } finally {
      await pool.close();
    }
  });
});

describe('deidentifyTree in a pool', () => {
  it('writes the same files, byte for byte, as in this thread, and reports every file once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-deid-pool-'));
    try {
      const inDir = join(dir, 'in');
      mkdirSync(inDir);
      for (let i = 0; i < 12; i++)
        writeFileSync(
          join(inDir, `IMG${i}.dcm`),
          buildDicom(
            ctElements({
              patientId: `MRN${i % 3}`,
              patientName: 'DOE^JANE',
              studyUid: `1.3.1.${i % 3}`,
              seriesUid: `1.3.2.${i % 3}`,
              sopUid: `1.3.3.${i}`,
              frameOfReferenceUid: '1.3.4',
              pixels: testPixels(8, 8, i),
              rows: 8,
              cols: 8,
            }),
            { sopClassUid: CT_IMAGE, sopInstanceUid: `1.3.3.${i}` },
          ),
        );
      writeFileSync(join(inDir, 'notes.txt'), 'not DICOM');
      const list = (d: string): string[] =>
        readdirSync(d, { recursive: true, withFileTypes: true })
          .filter((f) => f.isFile())
          .map((f) => relative(d, join(f.parentPath, f.name)))
          .sort();
      const setup = { options: BASIC_PROFILE, projectKey: KEY };
      const serial = await deidentifyTree(inDir, join(dir, 'serial'), setup);
      const pool = createDeidPool({ size: 2, workerUrl });
      const done: number[] = [];
      const pooled = await deidentifyTree(inDir, join(dir, 'pooled'), setup, (p) => done.push(p.done), {
        pool,
        concurrency: 4,
      }).finally(() => pool.close());
      expect(pooled).toMatchObject({ ok: 12, rejected: 1, quarantined: 0 });
      expect(serial).toMatchObject({ ok: 12, rejected: 1, quarantined: 0 });
      expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
      const files = list(join(dir, 'serial'));
      expect(list(join(dir, 'pooled'))).toEqual(files);
      for (const f of files)
        expect(readFileSync(join(dir, 'pooled', f)).equals(readFileSync(join(dir, 'serial', f)))).toBe(true);
      expect([...pooled.reid].sort()).toEqual([...serial.reid].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createDeidPool lifecycle', () => {
  it('closes pools whose workers are still starting, or just started, without aborting the process', async () => {
    // terminate() on a starting worker could abort the process (exit 134); close() now waits for 'online'
    // and lets idle workers end by themselves
    for (let i = 0; i < 10; i++) {
      const pool = createDeidPool({ size: 3, workerUrl });
      if (i % 2 === 1) await pool.deidentify(Buffer.from('not dicom'), BASIC_PROFILE, KEY);
      await pool.close();
      await expect(pool.deidentify(ct(4), BASIC_PROFILE, KEY)).rejects.toMatchObject({
        code: 'FH_ERR_DEID_POOL_CLOSED',
      });
    }
  }, 60_000);
});

describe('deidentifyTree with createPool', () => {
  it('starts no pool for an empty folder and one sized by the file count otherwise, and closes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-deid-createpool-'));
    try {
      const empty = join(dir, 'empty');
      const some = join(dir, 'some');
      mkdirSync(empty);
      mkdirSync(some);
      writeFileSync(join(some, 'a.dcm'), ct(4));
      const asked: number[] = [];
      let closed = 0;
      const createPool = (files: number) => {
        asked.push(files);
        const pool = createDeidPool({ size: Math.min(2, files), workerUrl });
        return {
          ...pool,
          close: async () => {
            closed++;
            await pool.close();
          },
        };
      };
      const setup = { options: BASIC_PROFILE, projectKey: KEY };
      expect(await deidentifyTree(empty, join(dir, 'o1'), setup, undefined, { createPool })).toMatchObject({
        ok: 0,
      });
      expect(asked).toEqual([]);
      expect(await deidentifyTree(some, join(dir, 'o2'), setup, undefined, { createPool })).toMatchObject({
        ok: 1,
      });
      expect(asked).toEqual([1]);
      expect(closed).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
