/** Arithmetic modulo a prime below 2^31, exact in doubles (the linear auditor's two fields). */

/** (a * b) mod p for 0 <= a, b < p < 2^31, exact in doubles (no product above 2^48). */
export function mulMod(a: number, b: number, p: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b - hi * 65536;
  return (((a * hi) % p) * 65536 + a * lo) % p;
}

export function invMod(a: number, p: number): number {
  // extended Euclid; all values stay below p
  let [r0, r1] = [p, a % p];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1) throw new RangeError(`${a} has no inverse modulo ${p}`);
  return ((t0 % p) + p) % p;
}

/** Whether n < 2^32 is prime (Miller-Rabin with bases 2, 7, 61: deterministic below 4,759,123,141). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (const q of [2, 3, 5, 7, 11, 13, 61]) if (n % q === 0) return n === q;
  let d = n - 1;
  let s = 0;
  while (d % 2 === 0) {
    d /= 2;
    s++;
  }
  const pow = (b: number, e: number): number => {
    let r = 1;
    let x = b % n;
    while (e > 0) {
      if (e % 2 === 1) r = mulMod(r, x, n);
      x = mulMod(x, x, n);
      e = Math.floor(e / 2);
    }
    return r;
  };
  for (const a of [2, 7, 61]) {
    let x = pow(a, d);
    if (x === 1 || x === n - 1) continue;
    let composite = true;
    for (let i = 1; i < s; i++) {
      x = mulMod(x, x, n);
      if (x === n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

/** The first prime at or after `start` (start in [2^30, 2^31 - 2^20)). */
export function primeFrom(start: number): number {
  let n = Math.floor(start) | 1;
  while (!isPrime(n)) n += 2;
  return n;
}
