/**
 * `lkb`: the Lyman–Kutcher–Burman NTCP model (TD50, m, n) fitted by maximum likelihood over the nodes'
 * differential DVHs (a long table: patient, dose, volume, outcome), with profile-likelihood intervals.
 * Round 1 gives starting values (outcome counts and sums of mean doses); each later round the aggregator
 * sends one or more points theta = (log TD50, log m, log n) and every node returns, in its additive vector
 * (masked for secure aggregation), the log-likelihood, gradient and Fisher information of its patients at
 * each point, their gEUD computed there for the point's n. The aggregator runs Fisher scoring with step
 * halving to the maximum, then the six profile searches (each parameter, each side) side by side. The
 * result equals the pooled maximum-likelihood fit (R optim, polished).
 */
import { FedhubError, type Json, LkbResultSchema } from '@fedhub/protocol';
import { normalQuantile } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type DatasetHandle, release } from '../types.js';
import {
  infoMatrix,
  type LkbData,
  lkbPartial,
  ntcpCurve,
  PARTIAL_LENGTH,
  solveSmall,
  type Theta,
} from './lkb-math.js';
import {
  advanceSearch,
  advanceTrack,
  type Evaluation,
  newSearch,
  newTracks,
  type Search,
  type Track,
} from './lkb-search.js';

export const LkbParamsSchema = z.strictObject({
  dataset: DatasetParam,
  patient: columnParam('key', 'Patient key column (one DVH per patient)', 'patient_pseudonym'),
  dose: columnParam('numeric', 'Dose of the DVH bin (Gy)', 'dose_gy'),
  volume: columnParam('numeric', 'Volume of the DVH bin (differential: fraction or cc)', 'volume'),
  outcome: columnParam(
    'binary',
    'Complication: 1 = yes, 0 = no (the same on every row of a patient)',
    'pneumonitis',
  ),
  volumeKind: z
    .enum(['fraction', 'cc'])
    .default('fraction')
    .describe("'fraction': each patient's volumes sum to 1; 'cc': absolute, made relative per patient")
    .meta(examples('fraction')),
  confLevel: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.95)
    .describe('Confidence level of the profile-likelihood intervals')
    .meta(examples(0.95)),
  profile: z
    .boolean()
    .default(true)
    .describe('Profile-likelihood intervals for TD50, m and n')
    .meta(examples(true)),
  n: z
    .number()
    .min(0.001)
    .max(1000)
    .optional()
    .describe('Fix the volume parameter n (1: a mean-dose model) instead of estimating it')
    .meta(examples(1)),
  organ: z
    .string()
    .regex(/^[A-Za-z0-9_~^+-]{1,40}$/)
    .optional()
    .describe(
      "The analysed structure's AAPM TG-263 name (e.g. Rectum, Lungs, Parotid_L): published Burman 1991 and QUANTEC 2010 parameters are shown beside the fit",
    )
    .meta(examples('Rectum')),
  filter: FilterParam,
});
export type LkbParams = z.infer<typeof LkbParamsSchema>;

type Input = { phase: 'start' } | { phase: 'eval'; points: number[][] };

interface State {
  stage: 'fit' | 'profile';
  fit: Search;
  tracks: Track[];
  hat: number[] | null;
  llMax: number | null;
  patients: number;
  events: number;
  nodes: string[];
  rounds: number;
  cov: number[][] | null;
}

async function readLkb(ds: DatasetHandle, p: LkbParams): Promise<LkbData> {
  for (const c of [p.dose, p.volume, p.outcome]) {
    const t = ds.column(c).type;
    if (t !== 'numeric' && t !== 'integer' && t !== 'boolean')
      throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${c}" is ${t}, not numeric`, { column: c });
  }
  ds.column(p.patient);
  const { data } = await ds.readColumns([p.patient, p.dose, p.volume, p.outcome], p.filter, {
    groupKeys: [p.patient],
  });
  const keyCol = data[p.patient]!;
  const keys = keyCol instanceof Float64Array ? Array.from(keyCol, String) : (keyCol as string[]);
  const dose = data[p.dose] as Float64Array;
  const vol = data[p.volume] as Float64Array;
  const y = data[p.outcome] as Float64Array;
  const byPatient = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const rows = byPatient.get(k);
    if (rows) rows.push(i);
    else byPatient.set(k, [i]);
  });
  const P = byPatient.size;
  const start = new Int32Array(P + 1);
  const outD = new Float64Array(keys.length);
  const outV = new Float64Array(keys.length);
  const outcome = new Uint8Array(P);
  const logMaxDose = new Float64Array(P);
  let at = 0;
  let q = 0;
  let badSum = false;
  // messages name columns, never a patient, a value or a row
  for (const rows of byPatient.values()) {
    start[q] = at;
    const y0 = y[rows[0]!]!;
    let total = 0;
    let maxD = 0;
    for (const i of rows) {
      if (y[i] !== y0 || (y0 !== 0 && y0 !== 1))
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `column "${p.outcome}" must hold 0 or 1, the same on every row of a patient`,
        );
      if (!(dose[i]! >= 0) || !(vol[i]! >= 0))
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `columns "${p.dose}" and "${p.volume}" must hold non-negative numbers`,
        );
      total += vol[i]!;
      if (vol[i]! > 0) maxD = Math.max(maxD, dose[i]!);
    }
    if (!(total > 0) || !(maxD > 0))
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `a patient has no volume ("${p.volume}") at a dose ("${p.dose}") above 0 Gy`,
      );
    if (Math.abs(total - 1) > 0.01) badSum = true;
    for (const i of rows) {
      outD[at] = dose[i]!;
      outV[at] = vol[i]! / total;
      at++;
    }
    outcome[q] = y0;
    logMaxDose[q] = Math.log(maxD);
    q++;
  }
  start[P] = at;
  if (p.volumeKind === 'fraction' && badSum)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `volumeKind 'fraction': column "${p.volume}" does not sum to 1 per patient; give volumeKind 'cc' for absolute volumes`,
    );
  return { start, dose: outD, volume: outV, outcome, logMaxDose };
}

/** Coordinates the fit estimates: all three, or TD50 and m with n fixed. */
function freeOf(p: LkbParams): number[] {
  return p.n === undefined ? [0, 1, 2] : [0, 1];
}

/** Inverse information over the free coordinates, zero rows and columns for a fixed one. */
function covariance(I: number[][], free: readonly number[]): number[][] {
  const cov = [0, 1, 2].map(() => [0, 0, 0]);
  free.forEach((a, ia) => {
    const inv = solveSmall(
      free.map((r) => free.map((c) => I[r]![c]!)),
      free.map((_, k) => (k === ia ? 1 : 0)),
    );
    free.forEach((b, ib) => {
      cov[b]![a] = inv ? inv[ib]! : Number.NaN;
    });
  });
  return cov;
}

function evaluations(sum: Float64Array, count: number): Evaluation[] {
  if (sum.length !== count * PARTIAL_LENGTH)
    throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'LKB partials have the wrong length');
  return Array.from({ length: count }, (_, k) => {
    const o = k * PARTIAL_LENGTH;
    return {
      ll: sum[o]!,
      g: [sum[o + 1]!, sum[o + 2]!, sum[o + 3]!],
      info: Array.from(sum.subarray(o + 4, o + 10)),
    };
  });
}

const evalInput = (points: number[][]): Json => ({ phase: 'eval', points }) as unknown as Json;

/** The points the next round evaluates: the fit's trial, or each open profile track's. */
function pointsOf(s: State): number[][] {
  return s.stage === 'fit' ? [s.fit.trial] : s.tracks.filter((t) => !t.done).map((t) => t.inner.trial);
}

function finish(s: State, params: LkbParams): Json {
  const hat = s.hat!;
  const bound = (j: number, side: 1 | -1) => {
    const t = s.tracks.find((x) => x.j === j && x.side === side);
    return t && t.bound !== null ? Math.exp(t.bound) : null;
  };
  const names = ['TD50', 'm', 'n'] as const;
  const free = freeOf(params);
  const se = s.cov ? [0, 1, 2].map((j) => (free.includes(j) ? Math.sqrt(s.cov![j]![j]!) : null)) : null;
  return {
    algorithm: 'lkb',
    model: 'NTCP = Phi((gEUD - TD50) / (m TD50)), gEUD = (sum v_i D_i^(1/n))^n',
    estimates: Object.fromEntries(names.map((n, j) => [n, Math.exp(hat[j]!)])),
    confLevel: params.confLevel,
    profileIntervals: params.profile
      ? Object.fromEntries(names.map((n, j) => [n, [bound(j, -1), bound(j, 1)]]))
      : null,
    fixedN: params.n !== undefined,
    logScaleStdErrors: se ? Object.fromEntries(names.map((n, j) => [n, se[j]!])) : null,
    /** Inverse Fisher information on (log TD50, log m, log n). */
    logScaleCovariance: s.cov,
    // NTCP against gEUD (0 to 2 TD50), Wald intervals on the probit scale from TD50 and m
    ntcpCurve: s.cov
      ? ntcpCurve(
          Math.exp(hat[0]!),
          Math.exp(hat[1]!),
          s.cov,
          Array.from({ length: 41 }, (_, i) => Number(((i / 20) * Math.exp(hat[0]!)).toPrecision(6))),
          params.confLevel,
        )
      : null,
    logLik: s.llMax,
    // the researcher's own label (a TG-263 name), echoed for the published reference parameters
    organ: params.organ ?? null,
    patients: s.patients,
    events: s.events,
    converged: s.fit.converged,
    iterations: s.fit.iter,
    rounds: s.rounds,
    nodes: s.nodes,
  } as unknown as Json;
}

export const lkb = defineAlgorithm<LkbParams>({
  name: 'lkb',
  version: '1.0.0',
  title: 'Lyman–Kutcher–Burman NTCP',
  description:
    'LKB NTCP (TD50, m, n) by maximum likelihood on differential DVHs, with profile-likelihood intervals; each node releases only summed log-likelihood, gradient and information; equals R optim on the pooled DVHs.',
  paramsSchema: LkbParamsSchema,
  resultSchema: LkbResultSchema,
  releases: {
    pooled:
      'first the number of patients with and without the complication and the sums of their mean doses; then per round, at the points the aggregator asks for, the log-likelihood, its gradient and the Fisher information over the patients (secure-aggregated: the hub sees only totals); DVHs and gEUDs stay at the site',
    perNode: null,
  },
  variables: (p) => ({ dataset: p.dataset, columns: [p.patient, p.dose, p.volume, p.outcome] }),
  firstInput: () => ({ phase: 'start' }),
  async local(ctx, params, raw) {
    const input = raw as unknown as Input;
    let d = ctx.cache.get('lkb') as LkbData | undefined;
    if (!d) {
      d = await readLkb(await ctx.dataset(params.dataset), params);
      ctx.cache.set('lkb', d);
    }
    const P = d.outcome.length;
    let events = 0;
    for (const y of d.outcome) events += y;
    const disclosure = {
      subsetSize: P,
      cells: [
        { label: 'patients with outcome 1', count: events, kind: 'outcome' as const },
        { label: 'patients with outcome 0', count: P - events, kind: 'outcome' as const },
      ],
      parameters: 3,
    };
    if (input.phase === 'start') {
      // counts and sums of mean doses per outcome, for the starting values
      const v = [0, 0, 0, 0, 0];
      for (let p = 0; p < P; p++) {
        let mean = 0;
        for (let i = d.start[p]!; i < d.start[p + 1]!; i++) mean += d.volume[i]! * d.dose[i]!;
        const y = d.outcome[p]!;
        v[y === 1 ? 0 : 1]! += 1;
        v[y === 1 ? 2 : 3]! += mean;
        v[4]! += mean * mean;
      }
      return release({ [ADDITIVE_FIELD]: v } as Json, disclosure);
    }
    const points = input.points.map((x) => [x[0]!, x[1]!, x[2]!] as Theta);
    return release({ [ADDITIVE_FIELD]: Array.from(lkbPartial(d, points)) } as Json, disclosure);
  },
  aggregate({ params, round, state, parts }) {
    const sum = sumAdditive(parts);
    if (round === 1) {
      const [n1, n0, s1, s0, ss] = Array.from(sum) as [number, number, number, number, number];
      if (n1 === 0 || n0 === 0)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `the LKB fit needs patients with and without the complication`,
        );
      const td50 = (s1 / n1 + s0 / n0) / 2;
      const mean = (s1 + s0) / (n1 + n0);
      const sd = Math.sqrt(Math.max(ss / (n1 + n0) - mean * mean, 0));
      const m = Math.min(1, Math.max(0.05, sd / td50));
      const s: State = {
        stage: 'fit',
        fit: newSearch([Math.log(td50), Math.log(m), Math.log(params.n ?? 0.5)], freeOf(params)),
        tracks: [],
        hat: null,
        llMax: null,
        patients: n1 + n0,
        events: n1,
        nodes: parts.map((p) => p.nodeName),
        rounds: 1,
        cov: null,
      };
      return { kind: 'next-round', input: evalInput(pointsOf(s)), state: s as unknown as Json };
    }
    const s = state as unknown as State;
    s.rounds = round;
    if (s.stage === 'fit') {
      const [e] = evaluations(sum, 1);
      advanceSearch(s.fit, e!);
      // a parameter running to the edge: the DVHs do not identify it (e.g. n -> infinity, gEUD -> the
      // geometric mean dose); stop rather than creep there for hundreds of rounds
      const [, lm, ln] = s.fit.trial as [number, number, number];
      if (Math.abs(ln) > 7 || lm < -9 || lm > 5)
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `the LKB fit does not converge: ${Math.abs(ln) > 7 ? 'n' : 'm'} runs to the edge of its range (the data do not identify it${Math.abs(ln) > 7 ? '; fix n, e.g. n: 1 for a mean-dose model' : ''})`,
        );
      if (!s.fit.done)
        return { kind: 'next-round', input: evalInput(pointsOf(s)), state: s as unknown as Json };
      if (!s.fit.converged) {
        // a likelihood flat in n (e.g. one-bin DVHs: gEUD is the dose whatever n): say so, and how to go on
        const I = s.fit.bestEval ? infoMatrix(s.fit.bestEval.info) : null;
        const flatN =
          params.n === undefined &&
          I !== null &&
          !(I[2]![2]! > 1e-8 * Math.max(Math.abs(I[0]![0]!), Math.abs(I[1]![1]!), 1e-300));
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          flatN
            ? 'the LKB fit does not converge: the likelihood is flat in n (the data do not identify it; fix n, e.g. n: 1 for a mean-dose model)'
            : 'the LKB fit did not converge',
        );
      }
      s.hat = s.fit.best!;
      s.llMax = s.fit.bestEval!.ll;
      s.cov = covariance(infoMatrix(s.fit.bestEval!.info), freeOf(params));
      if (!params.profile) return { kind: 'done', result: finish(s, params) };
      const q = normalQuantile(0.5 + params.confLevel / 2) ** 2 / 2;
      s.tracks = newTracks(s.hat as unknown as Theta, s.cov, q, freeOf(params));
      s.stage = 'profile';
      return { kind: 'next-round', input: evalInput(pointsOf(s)), state: s as unknown as Json };
    }
    const open = s.tracks.filter((t) => !t.done);
    const evals = evaluations(sum, open.length);
    const q = normalQuantile(0.5 + params.confLevel / 2) ** 2 / 2;
    open.forEach((t, i) => {
      advanceTrack(t, evals[i]!, s.hat![t.j]!, s.llMax! - q);
    });
    if (s.tracks.some((t) => !t.done))
      return { kind: 'next-round', input: evalInput(pointsOf(s)), state: s as unknown as Json };
    return { kind: 'done', result: finish(s, params) };
  },
});
