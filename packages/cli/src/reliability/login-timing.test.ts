/**
 * Login gives no way to tell an existing username from an unknown one: the same status and body, and no
 * significant difference in time over 500 tries (250 existing users with a wrong password, 250 unknown
 * names, interleaved in random order so that machine load falls on both alike), by a two-sided
 * Mann-Whitney U test at a fixed alpha of 0.001.
 */
import { mannWhitneyU } from '@fedhub/testkit';
import { sqliteBackend, startTestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TRIES = Number(process.env.FEDHUB_LOGIN_TIMING_TRIES ?? 500);
const ALPHA = 0.001;
type Hub = Awaited<ReturnType<typeof startTestHub>>;
let hub: Hub;
const existing: string[] = [];

beforeAll(async () => {
  // the per-address login budget would otherwise stop the experiment after 30 tries
  hub = await startTestHub(sqliteBackend, { loginRateLimitPerMinute: 100_000 });
  const org = crypto.randomUUID();
  await hub.handle.db
    .insertInto('organisations')
    .values({ id: org, name: 'Timing', country: null, created_at: new Date().toISOString() })
    .execute();
  // one wrong password each: never near the lockout (10 failures), which would change the answer
  for (let i = 0; i < TRIES / 2; i++) {
    const name = `existing-user-${i}`;
    await hub.user(name, org, ['researcher']);
    existing.push(name);
  }
});
afterAll(async () => {
  await hub?.dispose();
});

describe('login and username enumeration', () => {
  it(`answers alike for existing and unknown users over ${TRIES} tries`, async () => {
    const login = async (username: string) => {
      const t0 = process.hrtime.bigint();
      const res = await hub.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'not the password of anyone' },
      });
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.statusCode, body: res.body };
    };
    // warm-up (JIT, the decoy hash, statement caches): not counted
    for (let i = 0; i < 10; i++) await login(i % 2 ? `warm-unknown-${i}` : existing[i]!);
    const order = [
      ...existing.map((u) => ({ u, known: true })),
      ...existing.map((_, i) => ({ u: `unknown-user-${i}`, known: false })),
    ];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const known: number[] = [];
    const unknown: number[] = [];
    const bodies = new Set<string>();
    // two in flight at a time (the hash runs in the thread pool): half the wall time on two cores, and
    // the random order still spreads any contention over both groups alike
    for (let i = 0; i < order.length; i += 2) {
      const pair = order.slice(i, i + 2);
      const rs = await Promise.all(pair.map((o) => login(o.u)));
      for (const [j, r] of rs.entries()) {
        expect(r.status).toBe(401);
        bodies.add(r.body);
        (pair[j]!.known ? known : unknown).push(r.ms);
      }
    }
    // one body for both
    expect([...bodies]).toHaveLength(1);
    const test = mannWhitneyU(known, unknown);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    console.info(
      `login timing: ${TRIES} tries, median ${median(known).toFixed(1)} ms (existing) vs ${median(unknown).toFixed(1)} ms (unknown), ` +
        `Mann-Whitney p = ${test.p.toPrecision(3)} (alpha ${ALPHA}), P(existing slower) = ${test.effect.toFixed(3)}`,
    );
    expect(test.p).toBeGreaterThan(ALPHA);
  }, 300_000);
});
