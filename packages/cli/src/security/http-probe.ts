/** Raw HTTP for the security tests: send a body of any size and time the answer, whatever the client does. */
import { request } from 'node:http';

export interface Timed {
  status: number;
  body: string;
  /** ms from the first byte sent to the response's status line. */
  ms: number;
}

/** POSTs `body` to `url` and resolves at the answer (the server may answer before it has read the body). */
export function timedPost(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const ms = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms });
        req.destroy();
      });
    });
    // the server may close the connection once it has answered, with part of the body unsent
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(body);
  });
}

/** GET `url`, timed. */
export async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

/**
 * A syntactically valid result body of about `bytes` bytes whose payload is many arrays nested `depth`
 * deep: the shape that made the recursive JSON union spend seconds per MiB.
 */
export function hostileResultBody(bytes: number, depth = 60): Buffer {
  const unit = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const n = Math.max(1, Math.floor(bytes / (unit.length + 1)));
  const payload = `[${new Array(n).fill(unit).join(',')}]`;
  return Buffer.from(
    `{"attempt":1,"round":1,"outcome":"completed","payload":${payload},"error":null,"digest":"${'0'.repeat(64)}","signature":"x"}`,
  );
}
