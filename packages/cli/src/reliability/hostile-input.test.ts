/**
 * Hostile input against the hub (in-process, SQLite): every route of the OpenAPI document called with no
 * token, an expired token, an `alg: none` token, a token with its signature stripped or made with another
 * key, a token for the wrong audience, a node token on researcher routes and a user token on node routes:
 * never 200 and never 500. Then hostile bodies (over the limit, 10,000 levels deep, 100,000 keys, 10 MB
 * strings, prototype-pollution keys): a 4xx, nothing written, Object.prototype untouched, memory bounded.
 */
import { randomUUID } from 'node:crypto';
import { signAccessToken } from '@fedhub/crypto';
import { loadOrCreateHubSecret } from '@fedhub/hub';
import { sqliteBackend, startTestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, type World } from '../../../hub/test/world.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
let hub: Hub;
let w: World;

beforeAll(async () => {
  hub = await startTestHub(sqliteBackend);
  w = await seedWorld(hub);
});
afterAll(async () => {
  await hub?.dispose();
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function secret(): Promise<Buffer> {
  return Buffer.from(await loadOrCreateHubSecret(hub.handle, new Date().toISOString()));
}

/** Row counts of every table that a request could change. */
async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'organisations',
    'users',
    'collaborations',
    'nodes',
    'studies',
    'tasks',
    'runs',
  ] as const) {
    const r = await hub.handle.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  // refusing a forged result is itself audited (result.rejected): the only write a hostile body may cause
  const audit = await hub.handle.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '!=', 'result.rejected')
    .executeTakeFirstOrThrow();
  out.audit_events = Number(audit.n);
  return out;
}

interface Route {
  method: string;
  path: string;
  url: string;
}

async function routes(): Promise<Route[]> {
  const doc = (await hub.call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  const ids: Record<string, string> = {
    collaborations: w.collabA.id,
    nodes: w.nodeA.id,
    studies: w.studyA.id,
    tasks: w.taskA.id,
    organisations: w.orgA.id,
    users: w.researcherA.id,
    tokens: randomUUID(),
    runs: randomUUID(),
  };
  const out: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const m of Object.keys(ops)) {
      const url = path
        .replace('{id}', ids[path.split('/')[path.startsWith('/api/node/') ? 3 : 2]!] ?? randomUUID())
        .replace('{name}', 'some-model')
        .replace('{version}', '1');
      out.push({ method: m.toUpperCase(), path, url: path.endsWith('/wait') ? `${url}?timeoutMs=0` : url });
    }
  }
  return out;
}

/** Routes any caller may use without a token. */
const ANONYMOUS = new Set([
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  'POST /api/auth/logout',
  'POST /api/node/enrol',
]);

describe('authorization matrix from the OpenAPI document', () => {
  it('never answers 200 or 500 to a missing, expired, forged, wrong-audience or wrong-kind token', async () => {
    const key = await secret();
    const now = Math.floor(hub.clock.now() / 1000);
    const claims = (aud: 'user' | 'node', sub: string, exp = now + 600) => ({
      sub,
      aud,
      iat: now - 10,
      exp,
      jti: randomUUID(),
    });
    const userClaims = claims('user', w.admin.id);
    const forged: Record<string, string | undefined> = {
      none: undefined,
      expired: signAccessToken(key, claims('user', w.admin.id, now - 1)),
      'alg none (JWT form)': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(userClaims)}.`,
      'signature stripped': `fha.${b64(userClaims)}.`,
      'signature of another key': signAccessToken(Buffer.alloc(32, 7), userClaims),
      'claims swapped under a valid signature': (() => {
        const good = signAccessToken(key, claims('user', w.researcherB.id)).split('.');
        return `fha.${b64(userClaims)}.${good[2]}`;
      })(),
      'wrong audience (node claims for an admin)': signAccessToken(key, claims('node', w.admin.id)),
      'garbage bearer': 'x'.repeat(5000),
    };
    const all = await routes();
    expect(all.length).toBeGreaterThan(30);
    let calls = 0;
    for (const r of all) {
      const key = `${r.method} ${r.path}`;
      if (ANONYMOUS.has(key)) continue;
      for (const [label, token] of Object.entries(forged)) {
        const res = await hub.call(r.method as 'GET', r.url, { ...(token ? { token } : {}), body: {} });
        calls++;
        expect(res.status, `${key} with ${label}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${key} with ${label}`).toBeLessThan(500);
      }
      // a node's token on researcher and admin routes; a user's token on node routes
      const wrongKind = r.path.startsWith('/api/node/') ? w.researcherA.token : w.nodeA.token;
      const res = await hub.call(r.method as 'GET', r.url, { token: wrongKind, body: {} });
      calls++;
      expect(
        res.status,
        `${key} with a token of the wrong kind: ${JSON.stringify(res.body)}`,
      ).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    console.info(`authorization matrix: ${calls} calls over ${all.length} routes, none 200 or 500`);
  });
});

describe('hostile bodies', () => {
  const heap = () => process.memoryUsage().heapUsed;

  it('answers 4xx, writes nothing and keeps memory bounded', async () => {
    // a run that node A really holds, so that result posts reach the digest and signature checks
    const run = (await w.nodeA.claim())!;
    const before = await snapshot();
    const heap0 = heap();
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const manyKeys = JSON.stringify(
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [i.toString(36), 0])),
    );
    const tenMb = 'x'.repeat(10 * 1024 * 1024);
    const cases: Array<{
      label: string;
      method: 'POST' | 'PATCH';
      url: string;
      payload: string;
      token?: string;
    }> = [
      {
        label: 'body over the 1 MiB limit',
        method: 'POST',
        url: '/api/tasks',
        payload: JSON.stringify({
          studyId: w.studyA.id,
          algorithm: 'ping',
          params: { pad: 'y'.repeat(2 * 1024 * 1024) },
        }),
      },
      {
        label: 'JSON 10,000 deep in params',
        method: 'POST',
        url: '/api/tasks',
        payload: `{"studyId":"${w.studyA.id}","algorithm":"ping","params":${deep}}`,
      },
      {
        label: 'array 10,000 deep in params',
        method: 'POST',
        url: '/api/tasks',
        payload: `{"studyId":"${w.studyA.id}","algorithm":"ping","params":${deepArray}}`,
      },
      { label: 'JSON 10,000 deep as the body', method: 'POST', url: '/api/studies', payload: deep },
      {
        label: '100,000 keys',
        method: 'POST',
        url: '/api/tasks',
        payload: manyKeys.replace(/^\{/, `{"studyId":"${w.studyA.id}","algorithm":"ping","params":{},`),
      },
      {
        label: '100,000 keys in params',
        method: 'POST',
        url: '/api/tasks',
        payload: `{"studyId":"${w.studyA.id}","algorithm":"ping","params":${manyKeys}}`,
      },
      {
        label: '10 MB string in a login',
        method: 'POST',
        url: '/api/auth/login',
        payload: JSON.stringify({ username: tenMb, password: 'x' }),
      },
      {
        label: '10 MB string in a result post (16 MiB route)',
        method: 'POST',
        url: `/api/node/runs/${run.runId}/result`,
        token: w.nodeA.token,
        payload: JSON.stringify({
          attempt: 1,
          round: 1,
          outcome: 'completed',
          payload: { s: tenMb },
          error: null,
          digest: 'a'.repeat(64),
          signature: 'b',
        }),
      },
      {
        label: '__proto__ key',
        method: 'POST',
        url: '/api/studies',
        payload: `{"collaborationId":"${w.collabA.id}","title":"Polluted","purpose":"pollute","minNodes":1,"__proto__":{"polluted":true}}`,
      },
      {
        label: 'constructor.prototype key',
        method: 'POST',
        url: '/api/tasks',
        payload: `{"studyId":"${w.studyA.id}","algorithm":"ping","params":{"constructor":{"prototype":{"polluted":true}}}}`,
      },
      {
        label: '__proto__ in params',
        method: 'POST',
        url: '/api/tasks',
        payload: `{"studyId":"${w.studyA.id}","algorithm":"ping","params":{"__proto__":{"polluted":true}}}`,
      },
      {
        label: '__proto__ in a study change',
        method: 'PATCH',
        url: `/api/studies/${w.studyA.id}`,
        payload: `{"__proto__":{"polluted":true},"title":"Changed title"}`,
      },
      { label: 'not JSON', method: 'POST', url: '/api/tasks', payload: '{"studyId": ' },
    ];
    cases.push({
      label: '100,000 keys in a result payload (16 MiB route)',
      method: 'POST',
      url: `/api/node/runs/${run.runId}/result`,
      token: w.nodeA.token,
      payload: `{"attempt":${run.attempt},"round":1,"outcome":"completed","error":null,"digest":"${'a'.repeat(64)}","signature":"b","payload":${manyKeys}}`,
    });
    const results: string[] = [];
    for (const c of cases) {
      const res = await hub.app.inject({
        method: c.method,
        url: c.url,
        headers: {
          authorization: `Bearer ${c.token ?? w.researcherA.token}`,
          'content-type': 'application/json',
        },
        payload: c.payload,
      });
      results.push(`${c.label}: ${res.statusCode}`);
      expect(res.statusCode, `${c.label}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${c.label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
      const body = JSON.parse(res.body) as { code: string; message: string };
      expect(body.code).toMatch(/^FH_ERR_/);
      // no stack trace, and the hostile value is not echoed back in full
      expect(res.body).not.toMatch(/\n\s+at /);
      expect(res.body.length).toBeLessThan(64 * 1024);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(await snapshot()).toEqual(before);
    // memory bounded: nothing retained from ~40 MB of hostile input
    globalThis.gc?.();
    expect(heap() - heap0).toBeLessThan(256 * 1024 * 1024);
    console.info(`hostile bodies: ${results.join('; ')}`);
  }, 120_000);
});
