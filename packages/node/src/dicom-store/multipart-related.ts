/**
 * A streaming reader of multipart/related bodies (RFC 2387, as WADO-RS returns instances): yields each
 * part's body as soon as its closing delimiter has arrived, holding at most one part in memory. Written
 * here because the body parsers at hand (busboy and kin) read multipart/form-data only.
 */
import { FedhubError } from '@fedhub/protocol';

/** One part of a multipart body. */
export interface MultipartPart {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The boundary parameter of a multipart Content-Type header; throws FH_ERR_VALIDATION when absent. */
export function boundaryOf(contentType: string | null): string {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const b = m?.[1] ?? m?.[2];
  if (!b || !/^multipart\//i.test(contentType ?? ''))
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `expected a multipart response with a boundary, got Content-Type "${(contentType ?? '').slice(0, 100)}"`,
    );
  return b;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Splits a multipart body stream into parts. `maxPartBytes` bounds a single part (a hostile server cannot
 * make the node buffer without limit); throws FH_ERR_PAYLOAD_TOO_LARGE beyond it, FH_ERR_VALIDATION when the
 * body ends before its closing delimiter.
 */
export async function* readMultipart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  maxPartBytes = 2 ** 31 - 1,
): AsyncGenerator<MultipartPart> {
  // A leading CRLF lets the first delimiter ("--b" at the very start) match like every later one ("\r\n--b").
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let pending: Buffer = Buffer.from('\r\n');
  let state = 'preamble' as 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let headers: Record<string, string> = {};
  let parts: Buffer[] = [];
  let partBytes = 0;

  const step = function* (final: boolean): Generator<MultipartPart> {
    for (;;) {
      if (state === 'preamble') {
        const i = pending.indexOf(delimiter);
        if (i < 0) {
          pending = pending.subarray(Math.max(0, pending.length - delimiter.length + 1));
          return;
        }
        pending = pending.subarray(i + delimiter.length);
        state = 'after-delimiter';
      } else if (state === 'after-delimiter') {
        if (pending.length < 2) return;
        if (pending[0] === 0x2d && pending[1] === 0x2d) {
          state = 'done';
          return;
        }
        const eol = pending.indexOf('\r\n');
        if (eol < 0) return; // transport padding (spaces) until the line ends
        pending = pending.subarray(eol + 2);
        state = 'headers';
      } else if (state === 'headers') {
        // A part may have no headers at all: the blank line then follows at once.
        if (pending.length >= 2 && pending[0] === 0x0d && pending[1] === 0x0a) {
          headers = {};
          pending = pending.subarray(2);
          state = 'body';
          continue;
        }
        const end = pending.indexOf(CRLF2);
        if (end < 0) {
          if (pending.length > 64 * 1024)
            throw new FedhubError('FH_ERR_VALIDATION', 'multipart part headers longer than 64 KiB');
          return;
        }
        headers = parseHeaders(pending.subarray(0, end).toString('latin1'));
        pending = pending.subarray(end + 4);
        state = 'body';
      } else if (state === 'body') {
        const i = pending.indexOf(delimiter);
        const take = i >= 0 ? i : Math.max(0, pending.length - delimiter.length + 1);
        if (take > 0) {
          partBytes += take;
          if (partBytes > maxPartBytes)
            throw new FedhubError(
              'FH_ERR_PAYLOAD_TOO_LARGE',
              `a multipart part is larger than ${maxPartBytes} bytes`,
            );
          parts.push(Buffer.from(pending.subarray(0, take)));
          pending = pending.subarray(take);
        }
        if (i < 0) return;
        const part: MultipartPart = { headers, body: Buffer.concat(parts) };
        parts = [];
        partBytes = 0;
        pending = pending.subarray(delimiter.length);
        state = 'after-delimiter';
        yield part;
      } else return;
      if (final && pending.length === 0) return;
    }
  };

  for await (const chunk of body) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    yield* step(false);
    if (state === 'done') return;
  }
  yield* step(true);
  if (state !== 'done')
    throw new FedhubError('FH_ERR_VALIDATION', 'multipart body ended before its closing delimiter');
}
