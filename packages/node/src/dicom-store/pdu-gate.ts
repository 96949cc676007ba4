/**
 * A gate between a DICOM peer's socket and dcmjs-dimse (issue 15, item 8). dcmjs-dimse buffers a PDU of
 * whatever length its header claims, by concatenating every chunk onto what it holds (quadratic), before
 * it looks at the association. The gate reads the 6-byte PDU headers itself and:
 * - refuses, at once and without buffering, a PDU longer than allowed: an A-ASSOCIATE-RQ over
 *   `maxAssociateRqLength`, a P-DATA-TF over the maximum length this listener negotiated (read from the
 *   A-ASSOCIATE-AC it sends; dcmjs-dimse's 256 KiB at most), any other PDU over 64 bytes, an unknown PDU type,
 *   and a first PDU that is not an A-ASSOCIATE-RQ (A-ABORT, then the socket is destroyed);
 * - checks the called and calling AE titles from the first 42 bytes of the A-ASSOCIATE-RQ, and rejects an
 *   association not allowed before the rest of it arrives (A-ASSOCIATE-RJ with the same reasons dcmjs-dimse
 *   would give);
 * - hands dcmjs-dimse whole PDUs, each concatenated once (linear), so its accumulator never grows.
 * The gate presents the socket methods dcmjs-dimse uses (on, write, setTimeout, end, destroy).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export const PDU_TYPES = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pData: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

/** dcmjs-dimse's own maximum PDU length (what it offers at most in an A-ASSOCIATE-AC). */
export const DIMSE_MAX_PDU_LENGTH = 262_144;
const SMALL_PDU_LENGTH = 64;
const HEADER = 6;
const AE_TITLES_END = HEADER + 4 + 32; // protocol version, reserved, called AE (16), calling AE (16)

/** What the gate refused, for the listener's events. */
export interface GateRefusal {
  readonly kind: 'abort' | 'association-rejected';
  readonly callingAeTitle: string;
  readonly reason: string;
}

export interface PduGateOptions {
  readonly aeTitle: string;
  readonly allowedCallingAeTitles: ReadonlySet<string>;
  /** Largest A-ASSOCIATE-RQ accepted, bytes after the header. */
  readonly maxAssociateRqLength: number;
  readonly onRefusal: (r: GateRefusal) => void;
}

/** The maximum length received that an A-ASSOCIATE-AC announces (0: none given), or undefined. */
export function announcedMaxLength(ac: Buffer): number | undefined {
  if (ac.length < HEADER + 68 || ac[0] !== PDU_TYPES.associateAc) return undefined;
  let at = HEADER + 68; // fixed fields of A-ASSOCIATE-AC
  while (at + 4 <= ac.length) {
    const type = ac[at]!;
    const len = ac.readUInt16BE(at + 2);
    if (type === 0x50) {
      let sub = at + 4;
      while (sub + 4 <= at + 4 + len && sub + 4 <= ac.length) {
        const subType = ac[sub]!;
        const subLen = ac.readUInt16BE(sub + 2);
        if (subType === 0x51 && subLen === 4 && sub + 8 <= ac.length) return ac.readUInt32BE(sub + 4);
        sub += 4 + subLen;
      }
    }
    at += 4 + len;
  }
  return undefined;
}

function abortPdu(): Buffer {
  // source 2 (service provider), reason 0 (not specified)... 6 = invalid PDU parameter value
  return Buffer.from([PDU_TYPES.abort, 0, 0, 0, 0, 4, 0, 0, 2, 6]);
}

function rejectPdu(reason: 3 | 7): Buffer {
  // result 1 (rejected-permanent), source 1 (service user), reason 3 calling / 7 called AE not recognised
  return Buffer.from([PDU_TYPES.associateRj, 0, 0, 0, 0, 4, 0, 1, 1, reason]);
}

/** The socket as dcmjs-dimse sees it, fed whole, bounded PDUs. */
export class PduGate extends EventEmitter {
  private header = Buffer.alloc(0);
  private expected = -1;
  private type = 0;
  private chunks: Buffer[] = [];
  private received = 0;
  private pdus = 0;
  private maxPData = DIMSE_MAX_PDU_LENGTH;
  private closed = false;
  private calling = '';

  constructor(
    private readonly socket: Socket,
    private readonly opts: PduGateOptions,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    for (const ev of ['error', 'timeout', 'close', 'end', 'connect'] as const)
      socket.on(ev, (...args: unknown[]) => this.emit(ev, ...args));
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  write(data: Buffer | Uint8Array, ...rest: unknown[]): boolean {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buf[0] === PDU_TYPES.associateAc) {
      const max = announcedMaxLength(buf);
      if (max !== undefined && max > 0) this.maxPData = Math.min(max, DIMSE_MAX_PDU_LENGTH);
    }
    return (this.socket.write as (...a: unknown[]) => boolean)(buf, ...rest);
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms, cb);
    return this;
  }
  end(...args: unknown[]): this {
    (this.socket.end as (...a: unknown[]) => void)(...args);
    return this;
  }
  destroy(err?: Error): this {
    this.socket.destroy(err);
    return this;
  }

  private refuse(r: GateRefusal, pdu: Buffer): void {
    this.closed = true;
    this.chunks = [];
    this.opts.onRefusal(r);
    this.socket.end(pdu);
    // a peer that keeps sending is cut off; the PDU above goes first
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.socket.pause();
  }

  private limitOf(type: number): number | undefined {
    if (this.pdus === 0) return type === PDU_TYPES.associateRq ? this.opts.maxAssociateRqLength : undefined;
    if (type === PDU_TYPES.pData) return this.maxPData;
    if (type === PDU_TYPES.releaseRq || type === PDU_TYPES.releaseRp || type === PDU_TYPES.abort)
      return SMALL_PDU_LENGTH;
    return undefined;
  }

  private take(chunk: Buffer): void {
    let data = chunk;
    while (!this.closed && data.length > 0) {
      if (this.expected < 0) {
        const need = HEADER - this.header.length;
        this.header = Buffer.concat([this.header, data.subarray(0, need)]);
        data = data.subarray(need);
        if (this.header.length < HEADER) return;
        this.type = this.header[0]!;
        this.expected = this.header.readUInt32BE(2);
        const limit = this.limitOf(this.type);
        if (limit === undefined || this.expected > limit) {
          const reason =
            limit === undefined
              ? this.pdus === 0
                ? `the first PDU is of type ${this.type}, not an A-ASSOCIATE-RQ`
                : `PDU type ${this.type} is not expected`
              : `a PDU of type ${this.type} claims ${this.expected} bytes, more than the ${limit} allowed`;
          this.refuse({ kind: 'abort', callingAeTitle: this.calling, reason }, abortPdu());
          return;
        }
        this.chunks = [this.header];
        this.received = 0;
      }
      const part = data.subarray(0, this.expected - this.received);
      data = data.subarray(part.length);
      this.chunks.push(part);
      this.received += part.length;
      if (this.pdus === 0 && this.type === PDU_TYPES.associateRq && !this.calling) {
        const head = Buffer.concat(this.chunks);
        if (head.length >= AE_TITLES_END && !this.checkAeTitles(head)) return;
      }
      if (this.received === this.expected) {
        const pdu = Buffer.concat(this.chunks);
        this.chunks = [];
        this.header = Buffer.alloc(0);
        this.expected = -1;
        this.pdus++;
        this.emit('data', pdu);
      }
    }
  }

  private checkAeTitles(head: Buffer): boolean {
    const called = head.toString('latin1', HEADER + 4, HEADER + 20).trim();
    this.calling = head.toString('latin1', HEADER + 20, HEADER + 36).trim();
    if (!this.opts.allowedCallingAeTitles.has(this.calling)) {
      this.refuse(
        {
          kind: 'association-rejected',
          callingAeTitle: this.calling,
          reason: 'calling AE title not allowed',
        },
        rejectPdu(3),
      );
      return false;
    }
    if (called !== this.opts.aeTitle) {
      this.refuse(
        {
          kind: 'association-rejected',
          callingAeTitle: this.calling,
          reason: `called AE title "${called}" is not ours`,
        },
        rejectPdu(7),
      );
      return false;
    }
    return true;
  }
}
