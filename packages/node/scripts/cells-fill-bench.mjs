// Fill-in of the cells' sparse elimination with a distinct model every validation (docs/benchmarks.md,
// "Sparse rows for the cells"): N records (env N, default 100,000), V validations (env V, default 40) of a
// continuous-score logistic model with random coefficients on a contiguous 40-70 % of the records, score
// groups as validate's merge at 0.001 (minimum 5), committed as one batch on a sparse two-prime auditor.
// Prints every fifth validation's time, atoms, rank and the bytes held (LinearAuditor.bytes).
import { groupMembers, mergeScoreBins } from '@fedhub/algorithms';
import { LinearAuditor, primeFrom } from '@fedhub/node';

const N = Number(process.env.N ?? 100000),
  V = Number(process.env.V ?? 40);
let s = 5;
const rnd = () => {
  s = (s * 1103515245 + 12345) % 2147483648;
  return s / 2147483648;
};
const age = Float64Array.from({ length: N }, () => 18 + Math.floor(rnd() * 73));
const dose = Float64Array.from({ length: N }, () => Math.round((40 + rnd() * 40) * 10) / 10);
const stage = Float64Array.from({ length: N }, () => 1 + Math.floor(rnd() * 4));
const y = Float64Array.from({ length: N }, () => (rnd() < 0.3 ? 1 : 0));
const aud = LinearAuditor.empty([primeFrom(1_500_000_000), primeFrom(2_000_000_000)], 'sparse');
const t0 = performance.now();
for (let v = 0; v < V; v++) {
  const [a, b, c] = [rnd() * 0.06, rnd() * 0.05, rnd() * 0.4];
  const lo = Math.floor(rnd() * N * 0.3);
  const on = Int32Array.from({ length: Math.floor(N * (0.4 + rnd() * 0.3)) }, (_, i) => lo + i).filter(
    (i) => i < N,
  );
  const p = Float64Array.from(
    on,
    (i) => 1 / (1 + Math.exp(-(-1.5 + a * (age[i] - 55) + b * (dose[i] - 60) + c * (stage[i] - 2.5)))),
  );
  const merged = mergeScoreBins(
    Float64Array.from(on, (i) => y[i]),
    p,
    { width: 0.001, bins: 1001 },
    5,
  );
  const cells = groupMembers(merged).map((m) => Int32Array.from(m, (j) => on[j]).sort());
  const t = performance.now();
  aud.begin();
  let refused = false;
  for (const c of cells) {
    const pr = aud.propose(c, 5);
    if (pr.determined) {
      pr.abort();
      refused = true;
      break;
    }
    pr.commit();
  }
  if (refused) aud.rollback();
  else aud.end();
  const ms = performance.now() - t;
  if (v % 5 === 0 || v === V - 1)
    console.log(
      `v${v} cells ${cells.length} ${refused ? 'REFUSED' : ''} ${ms.toFixed(0)} ms; atoms ${aud.size.atoms} rank ${aud.size.rank} bytes ${(aud.bytes() / 2 ** 20).toFixed(1)} MiB`,
    );
}
console.log(`total ${(performance.now() - t0).toFixed(0)} ms`);
