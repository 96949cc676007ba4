/** The dependencies every feature module receives: built once per hub instance in `buildHub`. */
import type { FederatedAlgorithm } from '@fedhub/algorithms';
import type { DbHandle } from '@fedhub/db';
import type { Clock } from '../clock.js';
import type { HubConfig } from '../config.js';
import type { TaskEventBus } from './task-event-bus.js';
import type { Waiters } from './waiters.js';

/** Where the hub finds algorithms (the built-in registry by default; tests inject fakes). */
export interface AlgorithmRegistry {
  /** The algorithm `name` at `version` (latest when omitted), or undefined. */
  get(name: string, version?: string): FederatedAlgorithm<unknown> | undefined;
  list(): ReadonlyArray<FederatedAlgorithm<unknown>>;
}

export interface HubContext {
  readonly config: HubConfig;
  readonly db: DbHandle;
  readonly clock: Clock;
  readonly algorithms: AlgorithmRegistry;
  readonly bus: TaskEventBus;
  /** Waiting claims, keyed by node id. */
  readonly claimWaiters: Waiters;
  /** Waiting long-polls, keyed by task id. */
  readonly taskWaiters: Waiters;
  /** The token-signing secret, shared by every hub process on the database (loaded once). */
  secret(): Promise<Uint8Array>;
  /** A password hash to verify against for unknown users (computed once). */
  decoyHash(): Promise<string>;
  /** The hub clock as an ISO timestamp. */
  nowIso(): string;
}
