/**
 * Preloaded into a process (`node --import <this file>`) to move its wall clock by
 * FEDHUB_TEST_CLOCK_SKEW_MS milliseconds: `Date.now()` and `new Date()` are shifted, timers are not. This is
 * a machine whose clock is wrong, for the clock-skew tests; never loaded outside tests.
 */
const skew = Number(process.env.FEDHUB_TEST_CLOCK_SKEW_MS ?? 0);
if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + skew);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return realNow() + skew;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
}

export {};
