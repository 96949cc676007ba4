// `npm run bench -- auditor`: the exact query auditor (docs/adr/0008-exact-query-auditing.md) at 100k rows x
// 1,000 releases of realistic selections: conjunctions of filters on a synthetic cohort (age bands, sex,
// centre, stage, dose thresholds; rows with a missing dose dropped, as a sum of dose would), repeated
// queries, and near-duplicates (an earlier selection with 10-30 records more or fewer). Prints ms per
// release through the privacy ledger (SQLite persistence included) and of the elimination alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupMembers, mergeScoreBins } from '@fedhub/algorithms';
import { LinearAuditor, PrivacyLedger, primeFrom } from '@fedhub/node';

const N = Number(process.env.FEDHUB_AUDITOR_ROWS ?? 100_000);
const RELEASES = Number(process.env.FEDHUB_AUDITOR_RELEASES ?? 1000);

function mulberry(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry(42);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const age = new Int8Array(N);
const sex = new Int8Array(N);
const centre = new Int8Array(N);
const stage = new Int8Array(N);
const dose = new Float64Array(N);
for (let i = 0; i < N; i++) {
  age[i] = 18 + Math.floor(rnd() * 73);
  sex[i] = rnd() < 0.5 ? 0 : 1;
  centre[i] = Math.floor(rnd() * 5);
  stage[i] = 1 + Math.floor(rnd() * 4);
  dose[i] = rnd() < 0.05 ? Number.NaN : Math.round((40 + rnd() * 40) * 10) / 10;
}
const predicates = [
  () => {
    const t = pick([40, 50, 60, 65, 70, 75, 80, 18 + Math.floor(rnd() * 73)]);
    return rnd() < 0.5 ? (i) => age[i] < t : (i) => age[i] >= t;
  },
  () => {
    const s = pick([0, 1]);
    return (i) => sex[i] === s;
  },
  () => {
    const c = Math.floor(rnd() * 5);
    return (i) => centre[i] === c;
  },
  () => {
    const s = 1 + Math.floor(rnd() * 4);
    return rnd() < 0.5 ? (i) => stage[i] === s : (i) => stage[i] >= s;
  },
  () => {
    const t = pick([50, 55, 60, 65, 70, 60 + Math.round(rnd() * 150) / 10]);
    return (i) => dose[i] > t;
  },
];
const history = [];
function selection() {
  const r = rnd();
  if (history.length > 0 && r < 0.15) return pick(history); // the same query again
  if (history.length > 0 && r < 0.35) {
    // a near-duplicate: an earlier selection with 10-30 records more or fewer
    const base = pick(history);
    const k = 10 + Math.floor(rnd() * 21);
    if (rnd() < 0.5 && base.length > k + 10) return base.slice(0, base.length - k);
    const have = new Set(base);
    const out = [...base];
    while (out.length < base.length + k) {
      const i = Math.floor(rnd() * N);
      if (!have.has(i) && !Number.isNaN(dose[i])) {
        have.add(i);
        out.push(i);
      }
    }
    return out.sort((a, b) => a - b);
  }
  const ps = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(predicates)());
  const out = [];
  for (let i = 0; i < N; i++) if (!Number.isNaN(dose[i]) && ps.every((p) => p(i))) out.push(i);
  return out;
}
const selections = [];
while (selections.length < RELEASES) {
  const s = selection();
  if (s.length >= 10) {
    selections.push(Int32Array.from(s));
    history.push(s);
  }
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(2)} ms, median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s.at(-1).toFixed(1)} ms`;
}

// FEDHUB_AUDITOR_PARTS: which parts to run (default all): alone,ledger,validations
const parts = new Set((process.env.FEDHUB_AUDITOR_PARTS ?? 'alone,ledger,validations').split(','));

// 1. the elimination alone
if (parts.has('alone')) {
  const aud = LinearAuditor.empty([primeFrom(1_500_000_000), primeFrom(2_000_000_000)]);
  const ms = [];
  let refused = 0;
  for (const s of selections) {
    const t = performance.now();
    if (aud.apply(s, 10)) refused++;
    ms.push(performance.now() - t);
  }
  console.log(
    `auditor alone, ${N} rows x ${RELEASES} releases: ${stats(ms)}; ${refused} refused; ${aud.size.atoms} atoms, rank ${aud.size.rank}`,
  );
}

// 2. through the privacy ledger: pairwise rule, elimination, SQLite persistence
if (parts.has('ledger')) {
  const dir = mkdtempSync(join(tmpdir(), 'fedhub-auditor-bench-'));
  try {
    const ledger = new PrivacyLedger(dir);
    const ms = [];
    let refused = 0;
    for (const s of selections) {
      const t = performance.now();
      try {
        ledger.auditRows('bench', 'dose', s, 10);
      } catch (err) {
        if (err.code !== 'FH_ERR_DIFFERENCING') throw err;
        refused++;
      }
      ms.push(performance.now() - t);
    }
    ledger.close();
    const t = performance.now();
    const reopened = new PrivacyLedger(dir);
    reopened.auditRows('bench', 'dose', selections[0], 10);
    const load = performance.now() - t;
    reopened.close();
    console.log(
      `privacy ledger (pairwise + auditor + SQLite), ${N} rows x ${RELEASES} releases: ${stats(ms)}; ${refused} refused; reload of the persisted state ${load.toFixed(0)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 3. validations among the selections: every release of the mix above, and after every fifth selection a
//    validation of one of a few frozen models on an earlier selection, whose score groups (validate's
//    merge at scoreResolution 0.001, minimum cell count 5) are declared as cells and audited on the
//    dataset's cell namespace (docs/privacy.md, "Model differencing"). Env: FEDHUB_AUDITOR_VALIDATE_EVERY
//    (default 5), FEDHUB_AUDITOR_MODELS (distinct frozen models, default 5).
if (parts.has('validations')) {
  const every = Number(process.env.FEDHUB_AUDITOR_VALIDATE_EVERY ?? 5);
  const models = Number(process.env.FEDHUB_AUDITOR_MODELS ?? 5);
  const outcome = new Float64Array(N);
  for (let i = 0; i < N; i++) outcome[i] = rnd() < 0.3 ? 1 : 0;
  const coef = Array.from({ length: models }, () => [rnd() * 0.06, rnd() * 0.05, rnd() * 0.4, rnd() * 0.3]);
  const score = (k, i) => {
    const [a, b, c, d] = coef[k];
    const eta =
      -1.5 +
      a * (age[i] - 55) +
      b * ((Number.isNaN(dose[i]) ? 60 : dose[i]) - 60) +
      c * (stage[i] - 2.5) +
      d * sex[i];
    return 1 / (1 + Math.exp(-eta));
  };
  const dir = mkdtempSync(join(tmpdir(), 'fedhub-auditor-bench-'));
  try {
    const ledger = new PrivacyLedger(dir);
    const sel = [];
    const val = [];
    let refused = 0;
    let refusedValidations = 0;
    let full = 0;
    let groups = 0;
    for (let r = 0; r < selections.length; r++) {
      const s = selections[r];
      let t = performance.now();
      try {
        ledger.auditRows('bench', '#', s, 10);
      } catch (err) {
        if (err.code !== 'FH_ERR_DIFFERENCING') throw err;
        refused++;
      }
      sel.push(performance.now() - t);
      if ((r + 1) % every !== 0) continue;
      const on = pick(selections.slice(0, r + 1));
      const k = Math.floor(rnd() * models);
      const y = Float64Array.from(on, (i) => outcome[i]);
      const p = Float64Array.from(on, (i) => score(k, i));
      const merged = mergeScoreBins(y, p, { width: 0.001, bins: 1001 }, 5);
      const cells = groupMembers(merged).map((m) => Int32Array.from(m, (j) => on[j]).sort());
      groups += cells.length;
      t = performance.now();
      try {
        ledger.admitRows([{ namespace: 'bench\u0000#', rows: on }], 10, undefined, {
          sets: cells.map((rows) => ({ namespace: 'bench\u0000#cells', rows })),
          minGroup: 5,
        });
      } catch (err) {
        if (err.code !== 'FH_ERR_DIFFERENCING') throw err;
        refusedValidations++;
        if (err.details?.rule === 'capacity') full++;
      }
      val.push(performance.now() - t);
    }
    console.log(
      `with validations (one every ${every} selections, ${models} models, ${groups / val.length} score groups each on average): selections ${stats(sel)}; ${refused} refused; validations ${stats(val)}; ${refusedValidations} of ${val.length} refused (${full} for a full cell audit); rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
    const t = performance.now();
    ledger.close();
    console.log(`closing the ledger (snapshots written): ${(performance.now() - t).toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
