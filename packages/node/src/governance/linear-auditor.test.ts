import { describe, expect, it } from 'vitest';
import {
  type AuditorState,
  invMod,
  isPrime,
  LinearAuditor,
  mulMod,
  primeFrom,
  type Representation,
} from './linear-auditor.js';

const PRIMES = [primeFrom(1_500_000_000), primeFrom(2_000_000_000)];

/**
 * Reference, independent of the auditor: rank over the rationals by fraction-free (Bareiss) elimination
 * in BigInt over the full row space; e_i is determined iff adding it leaves the rank unchanged.
 */
function rank(m: bigint[][]): number {
  const a = m.map((r) => r.slice());
  const rows = a.length;
  const cols = a[0]?.length ?? 0;
  let r = 0;
  let prev = 1n;
  for (let c = 0; c < cols && r < rows; c++) {
    let p = r;
    while (p < rows && a[p]![c] === 0n) p++;
    if (p === rows) continue;
    [a[r], a[p]] = [a[p]!, a[r]!];
    for (let i = r + 1; i < rows; i++) {
      for (let j = c + 1; j < cols; j++) a[i]![j] = (a[r]![c]! * a[i]![j]! - a[i]![c]! * a[r]![j]!) / prev;
      a[i]![c] = 0n;
    }
    prev = a[r]![c]!;
    r++;
  }
  return r;
}

function determinedRow(sets: number[][], n: number): boolean {
  const m = sets.map((s) => Array.from({ length: n }, (_, i) => (s.includes(i) ? 1n : 0n)));
  const k = rank(m);
  for (let i = 0; i < n; i++) {
    const e = Array.from({ length: n }, (_, j) => (j === i ? 1n : 0n));
    if (rank([...m, e]) === k) return true;
  }
  return false;
}

function mulberry(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each<Representation>(['dense', 'sparse'])('linear auditor, %s rows', (as) => {
  it('modular helpers are exact near 2^31', () => {
    const p = PRIMES[1]!;
    expect(isPrime(p)).toBe(true);
    expect(isPrime(2_147_483_647)).toBe(true);
    expect(isPrime(2_147_483_649)).toBe(false);
    const a = p - 2;
    const b = p - 3;
    expect(mulMod(a, b, p)).toBe(Number((BigInt(a) * BigInt(b)) % BigInt(p)));
    expect(mulMod(invMod(123_456_789, p), 123_456_789, p)).toBe(1);
  });

  it('refuses the release completing S1 - S2 - S4 + S3, though every pair differs by 10 or more', () => {
    // rows 0..39; target row 0. S1 = A+B+t, S2 = A+B', S3 = B+B'... built so that S1-S2-S4+S3 = e_0
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    const A = range(1, 11);
    const B = range(11, 21);
    const C = range(21, 31);
    const S1 = [0, ...A, ...B];
    const S2 = [...A, ...C];
    const S3 = [...B, ...C, ...range(31, 40)];
    const S4 = range(31, 40);
    // S1 - S2 - S4 + S3 = e0 + A + B - A - C - R + B + C + R ... check with the reference instead
    const aud = LinearAuditor.empty(PRIMES, as);
    const sets = [S1, S2, S4];
    for (const s of sets) expect(aud.apply(s, 2)).toBeNull();
    const last = [0, ...A, ...C, ...range(31, 40)];
    expect(determinedRow([...sets, last], 40)).toBe(true);
    expect(aud.apply(last, 2)).toEqual({ rows: 1 });
    // refused: nothing changed, and the harmless release is still fine
    expect(aud.size.rank).toBe(3);
    expect(aud.apply(S3, 2)).toBeNull();
  });

  it('agrees with exact rational elimination on random releases (single rows)', () => {
    const rnd = mulberry(7);
    for (let trial = 0; trial < 60; trial++) {
      const n = 6 + Math.floor(rnd() * 8);
      const aud = LinearAuditor.empty(PRIMES, as);
      const accepted: number[][] = [];
      for (let q = 0; q < 10; q++) {
        const density = 0.3 + rnd() * 0.6;
        const s = Array.from({ length: n }, (_, i) => i).filter(() => rnd() < density);
        if (s.length === 0) continue;
        const expected = determinedRow([...accepted, s], n);
        const got = aud.apply(s, 2);
        expect(got !== null).toBe(expected);
        if (!expected) accepted.push(s);
      }
    }
  });

  it('refuses a group smaller than minGroup that no release separates, and survives a state round trip', () => {
    const all = Array.from({ length: 30 }, (_, i) => i);
    const aud = LinearAuditor.empty(PRIMES, as);
    expect(aud.apply(all, 10)).toBeNull();
    // rows 0..4 always together: their total is the difference of the two releases
    expect(aud.apply(all.slice(5), 10)).toEqual({ rows: 5 });
    expect(aud.apply(all.slice(15), 10)).toBeNull();
    const again = new LinearAuditor(aud.state(), as);
    expect(again.apply(all.slice(20), 10)).toEqual({ rows: 5 });
    expect(again.size).toEqual({ atoms: 2, rank: 2 });
  });

  it('a batch of releases (the cells of one release) is undone whole by rollback, as if never tried', () => {
    // random batches of several sets each, committed in turn; a batch with a refused set is rolled back,
    // and the auditor must then agree with the reference over the accepted sets only
    const rnd = mulberry(11);
    for (let trial = 0; trial < 40; trial++) {
      const n = 8 + Math.floor(rnd() * 8);
      const aud = LinearAuditor.empty(PRIMES, as);
      const accepted: number[][] = [];
      for (let q = 0; q < 6; q++) {
        const batch = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
          Array.from({ length: n }, (_, i) => i).filter(() => rnd() < 0.5),
        ).filter((s) => s.length > 0);
        aud.begin();
        let refused = false;
        for (const s of batch) {
          const p = aud.propose(s, 2);
          if (p.determined) {
            p.abort();
            refused = true;
            break;
          }
          p.commit();
        }
        if (refused) aud.rollback();
        else aud.end();
        // the reference: refused iff some prefix of the batch determines a row with the accepted sets
        let expectRefused = false;
        for (let k = 1; k <= batch.length && !expectRefused; k++)
          expectRefused = determinedRow([...accepted, ...batch.slice(0, k)], n);
        expect(refused).toBe(expectRefused);
        if (!refused) accepted.push(...batch);
        // after a rollback the state equals the one rebuilt from the accepted sets
        const rebuilt = LinearAuditor.empty(PRIMES, as);
        for (const s of accepted) rebuilt.apply(s, 0);
        expect(aud.size).toEqual(rebuilt.size);
        // and a probe behaves the same on both
        const probe = Array.from({ length: n }, (_, i) => i).filter(() => rnd() < 0.5);
        if (probe.length > 0) {
          const a = aud.propose(probe, 2);
          const b = rebuilt.propose(probe, 2);
          expect(a.determined).toEqual(b.determined);
          a.abort();
          b.abort();
        }
      }
    }
  });
});

describe('linear auditor: sparse rows against dense rows', () => {
  /** Random releases shaped like cells: a selection cut into groups in a random order, with batches. */
  function run(as: Representation, primes: number[], seed: number) {
    const rnd = mulberry(seed);
    const aud = LinearAuditor.empty(primes, as);
    const log: string[] = [];
    const n = 40 + Math.floor(rnd() * 60);
    for (let q = 0; q < 25; q++) {
      const lo = Math.floor(rnd() * n * 0.5);
      const sel = Array.from({ length: n - lo }, (_, i) => lo + i).filter(() => rnd() < 0.8);
      for (let i = sel.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [sel[i], sel[j]] = [sel[j]!, sel[i]!];
      }
      const size = 2 + Math.floor(rnd() * 10);
      aud.begin();
      let verdict = 'kept';
      for (let at = 0; at < sel.length; at += size) {
        const p = aud.propose(sel.slice(at, at + size), 3);
        if (p.determined) {
          verdict = `refused ${p.determined.rows}`;
          p.abort();
          break;
        }
        p.commit();
      }
      if (verdict === 'kept') aud.end();
      else aud.rollback();
      log.push(`${verdict} ${aud.size.atoms}/${aud.size.rank}`);
      // now and then a state round trip (a snapshot), in the same representation
      if (rnd() < 0.2) return { log, aud: new LinearAuditor(aud.state(), as), rnd };
    }
    return { log, aud, rnd };
  }

  it('make the same decisions and ranks on the same sequences, for each prime alone and for both', () => {
    let refusals = 0;
    for (let seed = 1; seed <= 30; seed++)
      for (const primes of [[PRIMES[0]!], [PRIMES[1]!], PRIMES]) {
        const dense = run('dense', primes, seed);
        const sparse = run('sparse', primes, seed);
        expect(sparse.log).toEqual(dense.log);
        refusals += dense.log.filter((x) => x.startsWith('refused')).length;
      }
    expect(refusals).toBeGreaterThan(20);
  });

  it('a state converts between the representations with the same decisions after', () => {
    for (let seed = 40; seed < 50; seed++) {
      const { aud } = run('dense', PRIMES, seed);
      // states share their arrays with the auditor: each copy from a copy
      const clone = (st: AuditorState): AuditorState => structuredClone(st);
      const sparse = new LinearAuditor(clone(aud.state()), 'sparse');
      const back = new LinearAuditor(clone(sparse.state()), 'dense');
      const rnd = mulberry(seed * 7);
      for (let k = 0; k < 20; k++) {
        const probe = Array.from({ length: 100 }, (_, i) => i).filter(() => rnd() < 0.1);
        if (probe.length === 0) continue;
        const want = aud.apply(probe, 3);
        expect(sparse.apply(probe, 3)).toEqual(want);
        expect(back.apply(probe, 3)).toEqual(want);
      }
      expect(sparse.size).toEqual(aud.size);
    }
  });
});
