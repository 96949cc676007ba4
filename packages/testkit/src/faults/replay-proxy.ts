/**
 * A loopback HTTP proxy that delivers chosen requests twice: after the client's request has been answered,
 * the very same bytes (method, path, headers, body) go to the server again, at once or later. This is what
 * a retrying load balancer or a resent packet does to a node's result post. Every pair of answers is kept
 * so that a test can compare them.
 */
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';

export interface Delivery {
  status: number;
  body: string;
}

export interface ReplayedRequest {
  method: string;
  path: string;
  first: Delivery;
  /** The answer to the replayed copy (undefined while it has not come back). */
  second?: Delivery;
}

export interface ReplayProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests that were delivered twice, with both answers. */
  readonly replayed: readonly ReplayedRequest[];
  /** Requests forwarded, replays not counted. */
  readonly forwarded: number;
  /** Resolves once every replay has been answered. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface ReplayProxyOptions {
  /** Which requests to deliver twice. */
  replay(method: string, path: string): boolean;
  /** How long after the first answer the copy goes out (ms; default 0). */
  replayDelayMs?: number;
  /** Delay before each request is forwarded (ms; default 0): slow, late delivery. */
  delayMs?: number;
}

function send(
  target: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { ...headers, host: target.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts the proxy in front of `targetUrl` (e.g. the hub). */
export async function startReplayProxy(targetUrl: string, opts: ReplayProxyOptions): Promise<ReplayProxy> {
  const target = new URL(targetUrl);
  const replayed: ReplayedRequest[] = [];
  const pending = new Set<Promise<void>>();
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        forwarded++;
        const first = await send(target, method, path, req.headers, body);
        const headers = { ...first.headers };
        delete headers['transfer-encoding'];
        res.writeHead(first.status, headers);
        res.end(first.body);
        if (!opts.replay(method, path.split('?')[0]!)) return;
        const entry: ReplayedRequest = {
          method,
          path,
          first: { status: first.status, body: first.body.toString('utf8') },
        };
        replayed.push(entry);
        const p = (async () => {
          if (opts.replayDelayMs) await new Promise((r) => setTimeout(r, opts.replayDelayMs));
          const second = await send(target, method, path, req.headers, body).catch((err: Error) => ({
            status: 0,
            headers: {},
            body: Buffer.from(err.message),
          }));
          entry.second = { status: second.status, body: second.body.toString('utf8') };
        })();
        pending.add(p);
        void p.finally(() => pending.delete(p));
      } catch (err) {
        // the server is unreachable: answer as a gateway would
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end((err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    replayed,
    get forwarded() {
      return forwarded;
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
