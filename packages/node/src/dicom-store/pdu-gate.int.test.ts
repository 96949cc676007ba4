/**
 * The C-STORE listener under a hostile peer (issue 15, item 8), over real TCP with raw sockets: a PDU
 * header claiming 4 GiB (before and after association) is refused at once without buffering, an
 * association from a calling AE title not allowed is rejected from its first 42 bytes, a first PDU that is
 * not an association request is aborted, and the event loop (the node agent's) stays responsive while the
 * peer keeps sending; dcmtk's echoscu is served normally afterwards.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CStoreListener, type ListenerEvent, startCStoreListener } from './cstore-listener.js';
import { resolveDicomConfig } from './dicom-config.js';
import { type DicomStore, openDicomStore } from './dicom-store.js';
import { announcedMaxLength, DIMSE_MAX_PDU_LENGTH } from './pdu-gate.js';

const run = promisify(execFile);
const workerUrl = new URL('../../../dicom/dist/deid/pool-worker.js', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'fedhub-pdu-gate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const item = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 0]), u16(body.length), body]);
const ae = (s: string) => Buffer.from(s.padEnd(16, ' '), 'latin1');

/** An A-ASSOCIATE-RQ proposing Verification (C-ECHO), implicit VR little endian. */
function associateRq(called: string, calling: string): Buffer {
  const body = Buffer.concat([
    u16(1),
    Buffer.alloc(2),
    ae(called),
    ae(calling),
    Buffer.alloc(32),
    item(0x10, Buffer.from('1.2.840.10008.3.1.1.1')),
    item(
      0x20,
      Buffer.concat([
        Buffer.from([1, 0, 0, 0]),
        item(0x30, Buffer.from('1.2.840.10008.1.1')),
        item(0x40, Buffer.from('1.2.840.10008.1.2')),
      ]),
    ),
    item(0x50, Buffer.concat([item(0x51, u32(16384)), item(0x52, Buffer.from('1.2.826.0.1.3680043.9.1'))])),
  ]);
  return Buffer.concat([Buffer.from([1, 0]), u32(body.length), body]);
}

interface Peer {
  socket: Socket;
  received: Buffer[];
  closed: Promise<number>;
}

async function peer(port: number): Promise<Peer> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => {});
  const started = Date.now();
  const closed = new Promise<number>((ok) => socket.once('close', () => ok(Date.now() - started)));
  return { socket, received, closed };
}

/** Writes junk as fast as the socket takes it until it closes; returns the bytes it took. */
async function flood(p: Peer, maxBytes: number): Promise<number> {
  const junk = Buffer.alloc(1024 * 1024, 0x41);
  let sent = 0;
  let open = true;
  void p.closed.then(() => {
    open = false;
  });
  while (open && sent < maxBytes) {
    if (!p.socket.write(junk)) await Promise.race([new Promise((r) => p.socket.once('drain', r)), p.closed]);
    sent += junk.length;
  }
  return sent;
}

/** Largest event-loop delay seen while `fn` runs, ms. */
async function loopLag<T>(fn: () => Promise<T>): Promise<{ value: T; lagMs: number }> {
  let last = performance.now();
  let lagMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lagMs = Math.max(lagMs, now - last - 10);
    last = now;
  }, 10);
  try {
    return { value: await fn(), lagMs };
  } finally {
    clearInterval(timer);
  }
}

describe('C-STORE listener against hostile PDUs', () => {
  let store: DicomStore;
  let listener: CStoreListener;
  const events: ListenerEvent[] = [];

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
        workers: { size: 1, maxMemoryMb: 256, timeoutMs: 20_000 },
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
        acceptedSopClasses: [],
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

  it('aborts an A-ASSOCIATE-RQ header claiming 4 GiB at once, without buffering, the event loop free', async () => {
    const p = await peer(listener.port);
    const before = process.memoryUsage().rss;
    const { value, lagMs } = await loopLag(async () => {
      p.socket.write(Buffer.from([0x01, 0x00, 0xff, 0xff, 0xff, 0xff]));
      const sent = await flood(p, 512 * 1024 * 1024);
      return { sent, closedAfterMs: await p.closed };
    });
    expect(value.closedAfterMs).toBeLessThan(3000);
    // the kernel buffers take some; 512 MiB is what a buffering listener would have swallowed
    expect(value.sent).toBeLessThan(64 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    // generous: on a loaded machine the scheduler alone delays timers by a few hundred ms
    expect(lagMs).toBeLessThan(1000);
    expect(Buffer.concat(p.received)[0]).toBe(0x07); // A-ABORT
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'aborted', reason: expect.stringMatching(/claims 4294967295 bytes/) }),
    );
  });

  it('aborts a P-DATA-TF header claiming 4 GiB after a valid association', async () => {
    const p = await peer(listener.port);
    p.socket.write(associateRq('NODE_A', 'MODALITY'));
    const deadline = Date.now() + 5000;
    while (p.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const ac = Buffer.concat(p.received);
    expect(ac[0]).toBe(0x02); // A-ASSOCIATE-AC
    const announced = announcedMaxLength(ac);
    expect(announced).toBeGreaterThan(0);
    expect(announced).toBeLessThanOrEqual(DIMSE_MAX_PDU_LENGTH);
    p.received.length = 0;
    p.socket.write(Buffer.from([0x04, 0x00, 0xff, 0xff, 0xff, 0xff]));
    const sent = await flood(p, 512 * 1024 * 1024);
    expect(await p.closed).toBeLessThan(5000);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'aborted',
        callingAeTitle: 'MODALITY',
        reason: expect.stringMatching(/type 4 claims 4294967295 bytes, more than the \d+ allowed/),
      }),
    );
  });

  it('rejects a calling AE title not allowed from the first 42 bytes of the request', async () => {
    const p = await peer(listener.port);
    // the request claims 200 KiB (within the limit) but only its first 42 bytes are ever sent
    const rq = associateRq('NODE_A', 'INTRUDER');
    rq.writeUInt32BE(200 * 1024, 2);
    p.socket.write(rq.subarray(0, 42));
    expect(await p.closed).toBeLessThan(3000);
    const rj = Buffer.concat(p.received);
    expect([...rj.subarray(0, 10)]).toEqual([0x03, 0, 0, 0, 0, 4, 0, 1, 1, 3]);
    expect(events).toContainEqual({
      type: 'association-rejected',
      callingAeTitle: 'INTRUDER',
      reason: 'calling AE title not allowed',
    });
  });

  it('aborts a first PDU that is not an association request', async () => {
    const p = await peer(listener.port);
    p.socket.write(Buffer.from([0x04, 0x00, 0x00, 0x00, 0x00, 0x10]));
    expect(await p.closed).toBeLessThan(3000);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'aborted', reason: expect.stringMatching(/first PDU is of type 4/) }),
    );
  });

  it.skipIf(!existsSync('/usr/bin/echoscu'))('still serves a well-behaved peer (dcmtk echoscu)', async () => {
    const r = await run('echoscu', [
      '-aet',
      'MODALITY',
      '-aec',
      'NODE_A',
      '127.0.0.1',
      String(listener.port),
    ]);
    expect(r.stderr).not.toMatch(/E:/);
    expect(events).toContainEqual({ type: 'echo', callingAeTitle: 'MODALITY' });
  });
});
