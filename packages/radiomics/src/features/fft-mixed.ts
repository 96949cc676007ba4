/**
 * Mixed-radix (2, 3, 4, 5) FFT by the Stockham autosort scheme (out of place, natural order, no bit
 * reversal), applied to many interleaved lines at once. Zero padding for a linear convolution then only
 * has to reach the next 2^a 3^b 5^c, not the next power of two (e.g. 80 instead of 128).
 */

/** The smallest 2^a 3^b 5^c that is at least n. */
export function smoothSize(n: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let p5 = 1; p5 < 2 * n; p5 *= 5)
    for (let p3 = p5; p3 < 2 * n; p3 *= 3) {
      let p = p3;
      while (p < n) p *= 2;
      if (p < best) best = p;
    }
  return Math.max(1, best);
}

function radices(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (const r of [5, 3, 4, 2]) {
    while (m % r === 0) {
      out.push(r);
      m /= r;
      // one radix-2 stage at most: powers of two go by fours
      if (r === 2) break;
    }
  }
  if (m !== 1) throw new RangeError(`fft: ${n} is not of the form 2^a 3^b 5^c`);
  return out;
}

interface Stage {
  readonly r: number;
  readonly m: number;
  /** cos / sin of sign·2πk/len for k < len (the twiddles w^(p·u) are entries p·u). */
  readonly twr: Float64Array;
  readonly twi: Float64Array;
  /** Radix 3 and 5: the r x r DFT matrix. */
  readonly cr: Float64Array;
  readonly ci: Float64Array;
}

const plans = new Map<string, Stage[]>();

function plan(n: number, sign: number): Stage[] {
  const key = `${n}:${sign}`;
  let stages = plans.get(key);
  if (stages) return stages;
  stages = [];
  let len = n;
  for (const r of radices(n)) {
    const twr = new Float64Array(len);
    const twi = new Float64Array(len);
    for (let k = 0; k < len; k++) {
      twr[k] = Math.cos((sign * 2 * Math.PI * k) / len);
      twi[k] = Math.sin((sign * 2 * Math.PI * k) / len);
    }
    const cr = new Float64Array(r * r);
    const ci = new Float64Array(r * r);
    for (let u = 0; u < r; u++)
      for (let t = 0; t < r; t++) {
        cr[u * r + t] = Math.cos((sign * 2 * Math.PI * ((u * t) % r)) / r);
        ci[u * r + t] = Math.sin((sign * 2 * Math.PI * ((u * t) % r)) / r);
      }
    stages.push({ r, m: len / r, twr, twi, cr, ci });
    len /= r;
  }
  if (plans.size > 64) plans.clear();
  plans.set(key, stages);
  return stages;
}

/**
 * In-place DFT (sign -1 forward, +1 inverse, unscaled) along one axis of `n` elements, each a block of
 * `block` contiguous values starting at `base`: element e of line q is at base + e * block + q.
 * `sr`, `si` are scratch arrays of at least n * block values.
 */
export function fftAxis(
  re: Float64Array,
  im: Float64Array,
  base: number,
  n: number,
  block: number,
  inverse: boolean,
  sr: Float64Array,
  si: Float64Array,
): void {
  if (n < 2) return;
  const sign = inverse ? 1 : -1;
  let xr = re;
  let xi = im;
  let xo = base;
  let yr = sr;
  let yi = si;
  let yo = 0;
  let s = block;
  for (const { r, m, twr, twi, cr, ci } of plan(n, sign)) {
    for (let p = 0; p < m; p++) {
      if (r === 2) {
        const wr = twr[p] as number;
        const wi = twi[p] as number;
        const a0 = xo + s * p;
        const a1 = a0 + s * m;
        const b0 = yo + s * 2 * p;
        const b1 = b0 + s;
        for (let q = 0; q < s; q++) {
          const ar = xr[a0 + q] as number;
          const ai = xi[a0 + q] as number;
          const br = xr[a1 + q] as number;
          const bi = xi[a1 + q] as number;
          yr[b0 + q] = ar + br;
          yi[b0 + q] = ai + bi;
          const dr = ar - br;
          const di = ai - bi;
          yr[b1 + q] = dr * wr - di * wi;
          yi[b1 + q] = dr * wi + di * wr;
        }
      } else if (r === 4) {
        const w1r = twr[p] as number;
        const w1i = twi[p] as number;
        const w2r = twr[2 * p] as number;
        const w2i = twi[2 * p] as number;
        const w3r = twr[3 * p] as number;
        const w3i = twi[3 * p] as number;
        const a0 = xo + s * p;
        const a1 = a0 + s * m;
        const a2 = a1 + s * m;
        const a3 = a2 + s * m;
        const b0 = yo + s * 4 * p;
        for (let q = 0; q < s; q++) {
          const x0r = xr[a0 + q] as number;
          const x0i = xi[a0 + q] as number;
          const x1r = xr[a1 + q] as number;
          const x1i = xi[a1 + q] as number;
          const x2r = xr[a2 + q] as number;
          const x2i = xi[a2 + q] as number;
          const x3r = xr[a3 + q] as number;
          const x3i = xi[a3 + q] as number;
          const t0r = x0r + x2r;
          const t0i = x0i + x2i;
          const t1r = x0r - x2r;
          const t1i = x0i - x2i;
          const t2r = x1r + x3r;
          const t2i = x1i + x3i;
          // (x1 - x3) times sign*i: the 4-point DFT's rotation
          const t3r = -sign * (x1i - x3i);
          const t3i = sign * (x1r - x3r);
          yr[b0 + q] = t0r + t2r;
          yi[b0 + q] = t0i + t2i;
          const u1r = t1r + t3r;
          const u1i = t1i + t3i;
          yr[b0 + s + q] = u1r * w1r - u1i * w1i;
          yi[b0 + s + q] = u1r * w1i + u1i * w1r;
          const u2r = t0r - t2r;
          const u2i = t0i - t2i;
          yr[b0 + 2 * s + q] = u2r * w2r - u2i * w2i;
          yi[b0 + 2 * s + q] = u2r * w2i + u2i * w2r;
          const u3r = t1r - t3r;
          const u3i = t1i - t3i;
          yr[b0 + 3 * s + q] = u3r * w3r - u3i * w3i;
          yi[b0 + 3 * s + q] = u3r * w3i + u3i * w3r;
        }
      } else {
        // radix 3 or 5: a direct small DFT, then the twiddle w^(p u)
        for (let u = 0; u < r; u++) {
          const wr = twr[p * u] as number;
          const wi = twi[p * u] as number;
          const b = yo + s * (r * p + u);
          for (let q = 0; q < s; q++) {
            let accr = 0;
            let acci = 0;
            for (let t = 0; t < r; t++) {
              const a = xo + s * (p + t * m) + q;
              const vr = xr[a] as number;
              const vi = xi[a] as number;
              const kr = cr[u * r + t] as number;
              const ki = ci[u * r + t] as number;
              accr += vr * kr - vi * ki;
              acci += vr * ki + vi * kr;
            }
            yr[b + q] = accr * wr - acci * wi;
            yi[b + q] = accr * wi + acci * wr;
          }
        }
      }
    }
    [xr, xi, xo, yr, yi, yo] = [yr, yi, yo, xr, xi, xo];
    s *= r;
  }
  if (xr !== re) {
    re.set(xr.subarray(xo, xo + n * block), base);
    im.set(xi.subarray(xo, xo + n * block), base);
  }
}
