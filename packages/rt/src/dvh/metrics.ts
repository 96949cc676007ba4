/**
 * DVH metrics from a differential histogram, the dose taken as spread evenly within each bin (so the
 * cumulative curve is piecewise linear between bin edges): Dx (the least dose received by the hottest x
 * of the volume), Vx (the volume receiving at least x Gy), gEUD, and the ICRU 83 homogeneity and the RTOG
 * and Paddick conformity indices of a target.
 */
import { FedhubError, lkbNtcp } from '@fedhub/protocol';
import type { Dvh } from './compute.js';

/** Cumulative volume (cc) at the bin edges 0, w, 2w, ...: the volume receiving at least k * w Gy. */
export function cumulativeCc(dvh: Dvh): Float64Array {
  const d = dvh.differentialCc;
  const out = new Float64Array(d.length + 1);
  for (let k = d.length - 1; k >= 0; k--) out[k] = out[k + 1]! + d[k]!;
  return out;
}

/** The cumulative DVH as doses (Gy, bin edges) and volume percentages, from 0 Gy to the maximum. */
export function cumulativeCurve(dvh: Dvh): { doseGy: number[]; volumePct: number[] } {
  const c = cumulativeCc(dvh);
  const total = c[0]!;
  return {
    doseGy: Array.from(c, (_, k) => Number((k * dvh.binWidthGy).toFixed(6))),
    volumePct: Array.from(c, (v) => (100 * v) / total),
  };
}

/** Volume (cc) receiving at least `doseGy`. */
export function volumeAtDoseCc(dvh: Dvh, doseGy: number): number {
  const c = cumulativeCc(dvh);
  if (doseGy <= 0) return c[0]!;
  const x = doseGy / dvh.binWidthGy;
  const k = Math.floor(x);
  if (k >= c.length - 1) return 0;
  const f = x - k;
  return c[k]! * (1 - f) + c[k + 1]! * f;
}

/** Least dose (Gy) received by the hottest `volumeCc` of the structure. */
export function doseAtVolumeCc(dvh: Dvh, volumeCc: number): number {
  const c = cumulativeCc(dvh);
  const total = c[0]!;
  if (volumeCc >= total) return dvh.minGy;
  if (volumeCc <= 0) return dvh.maxGy;
  // c is non-increasing: the last edge k with c[k] >= v
  let lo = 0;
  let hi = c.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (c[mid]! >= volumeCc) lo = mid;
    else hi = mid;
  }
  const drop = c[lo]! - c[lo + 1]!;
  const d = (lo + (drop > 0 ? (c[lo]! - volumeCc) / drop : 0)) * dvh.binWidthGy;
  return Math.min(Math.max(d, dvh.minGy), dvh.maxGy);
}

/** Dx%: least dose (Gy) received by the hottest `percent` % of the volume. */
export function doseAtVolumePct(dvh: Dvh, percent: number): number {
  return doseAtVolumeCc(dvh, (percent / 100) * dvh.volumeCc);
}

/**
 * Generalised equivalent uniform dose (Niemierko): (sum_i v_i D_i^a)^(1/a) over the bins (bin centres,
 * relative volumes), with a = 1/n as in the Lyman–Kutcher–Burman model.
 */
export function gEUD(dvh: Dvh, a: number): number {
  if (!Number.isFinite(a) || a === 0)
    throw new FedhubError('FH_ERR_BAD_PARAMS', 'gEUD needs a finite, non-zero exponent a = 1/n');
  const d = dvh.differentialCc;
  let total = 0;
  let s = 0;
  for (let k = 0; k < d.length; k++) {
    if (d[k] === 0) continue;
    const dose = (k + 0.5) * dvh.binWidthGy;
    total += d[k]!;
    s += d[k]! * dose ** a;
  }
  return (s / total) ** (1 / a);
}

/** Standard metrics of one structure. */
export interface DvhMetrics {
  volumeCc: number;
  meanGy: number;
  minGy: number;
  maxGy: number;
  D98: number;
  D95: number;
  D50: number;
  D2: number;
  'D0.03cc': number;
}

export function standardMetrics(dvh: Dvh): DvhMetrics {
  return {
    volumeCc: dvh.volumeCc,
    meanGy: dvh.meanGy,
    minGy: dvh.minGy,
    maxGy: dvh.maxGy,
    D98: doseAtVolumePct(dvh, 98),
    D95: doseAtVolumePct(dvh, 95),
    D50: doseAtVolumePct(dvh, 50),
    D2: doseAtVolumePct(dvh, 2),
    'D0.03cc': doseAtVolumeCc(dvh, 0.03),
  };
}

/**
 * Evaluates a metric named as in clinical protocols: `D95`, `D95%`, `D2cc`, `D0.03cc`, `V20Gy` (cc),
 * `V20Gy%` (percent), `Dmean`, `Dmin`, `Dmax`, `gEUD(n=0.25)` (LKB n) or `gEUD(a=4)`.
 */
export function metric(dvh: Dvh, name: string): number {
  const t = name.trim();
  if (t === 'Dmean') return dvh.meanGy;
  if (t === 'Dmin') return dvh.minGy;
  if (t === 'Dmax') return dvh.maxGy;
  const dPct = t.match(/^D(\d+(?:\.\d+)?)(%?)$/);
  if (dPct) return doseAtVolumePct(dvh, Number(dPct[1]));
  const dCc = t.match(/^D(\d+(?:\.\d+)?)cc$/);
  if (dCc) return doseAtVolumeCc(dvh, Number(dCc[1]));
  const vx = t.match(/^V(\d+(?:\.\d+)?)Gy(%?)$/);
  if (vx) {
    const cc = volumeAtDoseCc(dvh, Number(vx[1]));
    return vx[2] === '%' ? (100 * cc) / dvh.volumeCc : cc;
  }
  const eud = t.match(/^gEUD\((n|a)=(-?\d+(?:\.\d+)?)\)$/);
  if (eud) {
    const v = Number(eud[2]);
    return gEUD(dvh, eud[1] === 'n' ? 1 / v : v);
  }
  // a frozen LKB model's probability: Phi((gEUD(n) - TD50) / (m TD50)), for validating an LKB fit
  const ntcp = t.match(/^NTCP_LKB\(TD50=(\d+(?:\.\d+)?),m=(\d+(?:\.\d+)?),n=(\d+(?:\.\d+)?)\)$/);
  if (ntcp) {
    const [td50, m, n] = [Number(ntcp[1]), Number(ntcp[2]), Number(ntcp[3])];
    if (td50 > 0 && m > 0 && n > 0) return lkbNtcp(gEUD(dvh, 1 / n), { TD50: td50, m });
  }
  throw new FedhubError(
    'FH_ERR_BAD_PARAMS',
    `unknown DVH metric "${name.slice(0, 40)}" (D95, D2cc, V20Gy, V20Gy%, Dmean, Dmin, Dmax, gEUD(n=0.25), NTCP_LKB(TD50=45,m=0.2,n=0.25))`,
  );
}

/**
 * Target indices for a prescription dose: ICRU 83 homogeneity (D2 - D98) / D50, RTOG conformity PIV / TV
 * and Paddick's TV_PIV^2 / (TV x PIV), where PIV is the volume of the whole dose grid receiving at least
 * the prescription and TV_PIV the target volume receiving it.
 */
export function targetIndices(
  target: Dvh,
  prescriptionGy: number,
  prescriptionIsodoseVolumeCc: number,
): {
  homogeneityIndex: number;
  conformityIndexRtog: number;
  conformityIndexPaddick: number;
  coveragePct: number;
} {
  const tv = target.volumeCc;
  const tvPiv = volumeAtDoseCc(target, prescriptionGy);
  const piv = prescriptionIsodoseVolumeCc;
  return {
    homogeneityIndex:
      (doseAtVolumePct(target, 2) - doseAtVolumePct(target, 98)) / doseAtVolumePct(target, 50),
    conformityIndexRtog: piv / tv,
    conformityIndexPaddick: piv > 0 ? (tvPiv * tvPiv) / (tv * piv) : 0,
    coveragePct: (100 * tvPiv) / tv,
  };
}
