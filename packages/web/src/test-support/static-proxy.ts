/**
 * A tiny same-origin front for tests: serves the built dashboard from `distDir` and pipes every `/api`
 * request to the hub (streams, so long-polls work). It stands in until the hub serves the dashboard itself;
 * to drop it, point the browser at the hub's own URL instead.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** A running front: its URL and how to stop it. */
export interface StaticProxy {
  url: string;
  close(): Promise<void>;
}

/** Starts the front on 127.0.0.1 (a free port). `hubUrl` is the hub's base URL ("http://127.0.0.1:1234"). */
export async function startStaticProxy(distDir: string, hubUrl: string): Promise<StaticProxy> {
  const hub = new URL(hubUrl);
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/') || url === '/api') {
      const up = httpRequest(
        {
          host: hub.hostname,
          port: hub.port,
          method: req.method,
          path: url,
          headers: { ...req.headers, host: hub.host },
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'FH_ERR_UNAVAILABLE', message: `proxy: ${err.message}` }));
      });
      // a browser that hangs up ends the upstream long-poll too
      res.on('close', () => up.destroy());
      req.pipe(up);
      return;
    }
    const path = decodeURIComponent(url.split('?')[0] ?? '/');
    let file = normalize(join(distDir, path));
    if (!file.startsWith(distDir + sep) && file !== distDir) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(distDir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
