/** The work loop: long-poll claims from the hub, one run at a time, backing off while the hub is away. */
import type { RunAssignment } from '@fedhub/protocol';
import { HubRequestError, type NodeApiClient } from '@fedhub/sdk';
import type { Logger } from 'pino';
import { backoffDelayMs, sleep } from '../backoff.js';

/** Whether a failed call to the hub is worth repeating: the hub unreachable, failing or asking to slow down. */
export function isRetryable(err: unknown): boolean {
  return err instanceof HubRequestError && (err.status === 0 || err.status >= 500 || err.status === 429);
}

/** Calls `fn` until it succeeds, retrying with jittered backoff while the hub is unreachable. */
export type WithRetry = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export function retrying(log: Logger, signal: AbortSignal): WithRetry {
  return async (what, fn) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetryable(err) || signal.aborted) throw err;
        const delay = backoffDelayMs(attempt);
        const why =
          (err as HubRequestError).status === 429 ? 'the hub asks to slow down (429)' : 'hub unreachable';
        log.warn({ err: (err as Error).message, retryInMs: delay }, `${what}: ${why}, retrying`);
        await sleep(delay, signal);
      }
    }
  };
}

/** Claims and runs work until `signal` aborts. */
export async function workLoop(d: {
  client: NodeApiClient;
  claimWaitMs: number;
  signal: AbortSignal;
  log: Logger;
  runOne(run: RunAssignment): Promise<void>;
}): Promise<void> {
  let failures = 0;
  while (!d.signal.aborted) {
    try {
      const claim = await d.client.claim(d.claimWaitMs, d.signal);
      failures = 0;
      if (claim.run) await d.runOne(claim.run);
    } catch (err) {
      if (d.signal.aborted) break;
      const delay = backoffDelayMs(failures++);
      if (isRetryable(err))
        d.log.warn({ err: (err as Error).message, retryInMs: delay }, 'hub unreachable, retrying');
      else
        d.log.error(
          { err: (err as Error).message, code: (err as HubRequestError).code, retryInMs: delay },
          'claim failed',
        );
      await sleep(delay, d.signal);
    }
  }
}
