import { describe, expect, it } from 'vitest';
import { createWaiters } from './waiters.js';

describe('waiters', () => {
  it('wakes the waiters of a key at once, others only at their timeout', async () => {
    const w = createWaiters();
    const t0 = Date.now();
    const a = w.wait('a', 5000).then(() => Date.now() - t0);
    const b = w.wait('b', 150).then(() => Date.now() - t0);
    w.notify('a');
    expect(await a).toBeLessThan(100);
    expect(await b).toBeGreaterThanOrEqual(140);
  });

  it('ends every wait on close, and later waits return at once', async () => {
    const w = createWaiters();
    const t0 = Date.now();
    const p = w.wait('x', 10_000);
    w.close();
    await p;
    await w.wait('y', 10_000);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(w.closed).toBe(true);
  });
});
