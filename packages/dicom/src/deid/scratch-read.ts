import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads whole files into one reused buffer: a folder run reads hundreds of ~0.5 MB files, and a fresh
 * buffer for each costs its page faults and garbage collection. The bytes returned are valid until the next
 * `read`, so the caller must be done with them (written, or copied) before reading again.
 */
export class ScratchReader {
  private buf = Buffer.allocUnsafe(1024 * 1024);

  read(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(size, this.buf.length * 2));
      let at = 0;
      while (at < size) {
        const n = readSync(fd, this.buf, at, size - at, at);
        if (n === 0) break; // the file shrank while we read it
        at += n;
      }
      return this.buf.subarray(0, at);
    } finally {
      closeSync(fd);
    }
  }
}
