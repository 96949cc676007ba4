// The node-side cost of coxph's post-fit round (robust SEs, survival curves) against one Newton partial, on
// 1,000,000 synthetic rows, 6 covariates, 120 event times. Run after `npx tsc -b packages/stats`:
//   node packages/stats/scripts/cox-post-fit-bench.mjs   (times in ms)
import * as s from '../dist/index.js';

const n = 1_000_000,
  p = 6;
let seed = 1;
const rnd = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const x = new Float64Array(n * p).map(() => rnd() * 2 - 1);
const time = new Float64Array(n).map(() => Math.ceil(rnd() * 120));
const event = new Float64Array(n).map(() => (rnd() < 0.5 ? 1 : 0));
const d = { x, n, p, time, event, strata: null };
const grid = s.localEventTimes(time, event, null);
const beta = Float64Array.from([0.1, -0.2, 0.05, 0.3, 0, 0.1]);
const t = (f) => {
  const a = performance.now();
  const r = f();
  return [r, performance.now() - a];
};
const [prep, tp] = t(() => s.prepareCox(d, grid));
const [sum, t0] = t(() => s.coxLocalPartial(d, grid, beta, null, prep));
const [terms, t1] = t(() => s.coxResidualTerms(sum, p, 'efron'));
const [res, t2] = t(() => s.coxScoreResiduals(d, grid, beta, terms));
const [, t3] = t(() => s.coxRobustPartial(res, n, p, null));
const [, t4] = t(() => s.coxMeansPartial(x, n, p));
const ht = s.coxHazardTerms(sum, p, 'efron');
const [, t5] = t(() =>
  s.coxPredictedCurves({
    terms: ht,
    grid,
    beta,
    covariance: new Float64Array(36).map((_, i) => (i % 7 === 0 ? 1e-4 : 0)),
    x: new Float64Array(6),
    minCount: 5,
  }),
);
console.log(
  JSON.stringify(
    {
      prepare: tp,
      newtonPartial: t0,
      residualTerms: t1,
      scoreResiduals: t2,
      robustPartial: t3,
      means: t4,
      curve: t5,
    },
    (_k, v) => (typeof v === 'number' ? Math.round(v) : v),
  ),
);
