/**
 * Wraps a dataset received over the network (no preamble, no file meta) into a DICOM Part 10 file, so that
 * C-STORE input takes the same de-identification path as files: the received bytes are kept as sent, never
 * decoded and re-encoded first (a re-encoding could hide a malformed dataset from the parser's checks).
 */
import { IMPLEMENTATION_CLASS_UID } from '@fedhub/dicom';

/** Implementation Version Name written into the meta of files received over C-STORE. */
export const CSTORE_VERSION_NAME = 'FEDHUB_SCP_1';

function element(group: number, el: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB' || vr === 'UN';
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(el, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(value.length, 8);
  else h.writeUInt16LE(value.length, 6);
  return Buffer.concat([h, value]);
}

function text(s: string, pad: number): Buffer {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from([pad])]);
}

/** A Part 10 file holding `dataset` (encoded in `transferSyntaxUid`) with a file meta built from the command. */
export function part10File(p: {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle: string;
  dataset: Buffer;
}): Buffer {
  const body = Buffer.concat([
    element(2, 0x0001, 'OB', Buffer.from([0, 1])),
    element(2, 0x0002, 'UI', text(p.sopClassUid, 0)),
    element(2, 0x0003, 'UI', text(p.sopInstanceUid, 0)),
    element(2, 0x0010, 'UI', text(p.transferSyntaxUid, 0)),
    element(2, 0x0012, 'UI', text(IMPLEMENTATION_CLASS_UID, 0)),
    element(2, 0x0013, 'SH', text(CSTORE_VERSION_NAME, 0x20)),
    element(2, 0x0016, 'AE', text(p.sourceAeTitle, 0x20)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, element(2, 0x0000, 'UL', length), body, p.dataset]);
}
