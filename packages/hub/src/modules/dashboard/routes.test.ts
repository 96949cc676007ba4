import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '@fedhub/db';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../build-hub.js';
import { loadHubConfig } from '../../config.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-dashboard-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>fedhub</title><div id="root"></div>');
writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hub(dashboardDir: string) {
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  const app = buildHub({ config: loadHubConfig({}, { dashboardDir, logLevel: 'silent' }), db });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

describe('dashboard serving', () => {
  it('answers paths outside the dashboard folder as any unknown path: no file-existence oracle', async () => {
    const { app, close } = await hub(dir);
    try {
      // over a real socket: an injected request would have its dots resolved before routing
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const answer = (path: string) =>
        new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path }, (res) => {
            res.resume();
            res.on('end', () => resolve(`${res.statusCode} ${res.headers['content-type']}`));
          });
          req.on('error', reject);
          req.end();
        });
      const unknown = await answer('/no-such-file.txt');
      expect(unknown).toMatch(/^200 text\/html/);
      for (const url of [
        '/../../etc/passwd',
        '/..%2f..%2fetc%2fpasswd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/..%5c..%5cetc%5cpasswd',
        '/../../etc/no-such-file',
        `/..${dir}/index.html`,
      ])
        expect(await answer(url), url).toBe(unknown);
      const unknownAsset = await answer('/assets/nothing.js');
      expect(await answer('/assets/../../../../etc/passwd')).toBe(unknownAsset);
      expect(await answer('/assets/..%2f..%2f..%2fetc%2fpasswd')).toBe(unknownAsset);
    } finally {
      await close();
    }
  });

  it('sends security headers on the dashboard, the API and errors', async () => {
    const { app, close } = await hub(dir);
    try {
      for (const url of ['/', '/assets/app-1234.js', '/health', '/api/me', '/api/nothing', '/openapi.json']) {
        const r = await app.inject({ url });
        expect(r.headers['x-frame-options'], url).toBe('DENY');
        expect(r.headers['x-content-type-options'], url).toBe('nosniff');
        expect(r.headers['referrer-policy'], url).toBe('no-referrer');
        expect(r.headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
        expect(r.headers['content-security-policy'], url).toMatch(/script-src 'self'(;|$)/);
      }
    } finally {
      await close();
    }
  });

  it('serves the app at / and for deep links, assets by name, and keeps JSON 404s for the API', async () => {
    const { app, close } = await hub(dir);
    try {
      const root = await app.inject({ url: '/' });
      expect(root.statusCode).toBe(200);
      expect(root.headers['content-type']).toMatch(/text\/html/);
      expect(root.headers['cache-control']).toBe('no-cache');
      const deep = await app.inject({ url: '/studies/123?tab=tasks' });
      expect(deep.body).toContain('<div id="root">');
      const asset = await app.inject({ url: '/assets/app-1234.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.body).toBe('console.log(1)');
      expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
      const api = await app.inject({ url: '/api/no-such-route' });
      expect(api.statusCode).toBe(404);
      expect(api.json()).toMatchObject({ code: 'FH_ERR_NOT_FOUND' });
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await close();
    }
  });

  it('runs API-only without a built dashboard', async () => {
    const { app, close } = await hub(join(dir, 'absent'));
    try {
      expect((await app.inject({ url: '/' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await close();
    }
  });
});
