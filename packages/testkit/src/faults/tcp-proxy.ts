/**
 * A loopback TCP proxy that a test can break on purpose: cut it (every connection reset and new ones
 * refused, as a stopped server looks), partition it (connections accepted but no byte passes, as a
 * network that drops packets looks), or delay each chunk. Sits between a node and the hub, or between the
 * hub and PostgreSQL, so a fault hits one link and nothing else (the shared database server keeps running).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyState = 'open' | 'cut' | 'partitioned';

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  readonly state: ProxyState;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resets every open connection and refuses new ones until `restore()`. */
  cut(): void;
  /** Accepts connections but forwards nothing (bytes are dropped) until `restore()`; then resets them. */
  partition(): void;
  /** Forwards normally again. Connections held during a partition are reset (their bytes were lost). */
  restore(): void;
  /** Delays every forwarded chunk by `ms` (0: none). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 (any free port unless `listenPort`) forwarding to `target`.
 *
 * @example const p = await startTcpProxy({ host: '127.0.0.1', port: 5432 }); p.cut(); p.restore();
 */
export async function startTcpProxy(
  target: { host: string; port: number },
  opts: { listenPort?: number } = {},
): Promise<TcpProxy> {
  let state: ProxyState = 'open';
  let delayMs = 0;
  let connections = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>();

  const forward = (from: Socket, to: () => Socket | null) => {
    from.on('data', (chunk: Buffer) => {
      if (state !== 'open') return; // partitioned: the bytes are lost
      const send = () => {
        const dest = to();
        if (dest && !dest.destroyed) dest.write(chunk);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  };

  const server: Server = createServer((client) => {
    connections++;
    if (state === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      if (!client.destroyed) client.destroy();
      if (pair.upstream && !pair.upstream.destroyed) pair.upstream.destroy();
    };
    client.on('error', drop);
    client.on('close', drop);
    if (state === 'partitioned') {
      // held open, never connected upstream: nothing will answer
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', drop);
    upstream.on('close', drop);
    forward(client, () => upstream);
    forward(upstream, () => client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  const resetAll = () => {
    for (const p of [...pairs]) {
      pairs.delete(p);
      if (!p.client.destroyed) p.client.resetAndDestroy();
      if (p.upstream && !p.upstream.destroyed) p.upstream.resetAndDestroy();
    }
  };

  return {
    port,
    get state() {
      return state;
    },
    get connections() {
      return connections;
    },
    cut() {
      state = 'cut';
      resetAll();
    },
    partition() {
      state = 'partitioned';
    },
    restore() {
      if (state === 'partitioned') resetAll();
      state = 'open';
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    close() {
      resetAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
