import { migrateToLatest, openDatabase } from '@fedhub/db';
import { describe, expect, it } from 'vitest';
import { buildHub } from '../build-hub.js';
import { loadHubConfig } from '../config.js';

async function statuses(overrides: Parameters<typeof loadHubConfig>[1], env: Record<string, string> = {}) {
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  const app = buildHub({ config: loadHubConfig(env, { logLevel: 'silent', ...overrides }), db });
  try {
    await app.ready();
    const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    return {
      doc: doc.statusCode,
      ui: ui.statusCode,
      openapi: doc.statusCode === 200 ? (doc.json() as { openapi: string }).openapi : undefined,
      paths: doc.statusCode === 200 ? Object.keys((doc.json() as { paths: object }).paths).length : 0,
    };
  } finally {
    await app.close();
    await db.close();
  }
}

describe('API docs (apiDocs)', () => {
  it('are served by default: the document lists the routes registered after the (lazily imported) plugin', async () => {
    const s = await statuses({});
    expect(s.doc).toBe(200);
    expect(s.openapi).toBe('3.1.0');
    expect(s.paths).toBeGreaterThan(20);
    expect([200, 302]).toContain(s.ui);
  });

  it('are absent with apiDocs false (option or FEDHUB_API_DOCS=false)', async () => {
    expect(await statuses({ apiDocs: false })).toMatchObject({ doc: 404, ui: 404 });
    expect(await statuses({}, { FEDHUB_API_DOCS: 'false' })).toMatchObject({ doc: 404, ui: 404 });
  });
});
