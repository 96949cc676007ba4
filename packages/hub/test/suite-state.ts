/** What the route suite's tests share: the hub under test and its seeded world (set in beforeAll). */
import type {} from '@fastify/websocket'; // the app's injectWS
import type { startTestHub } from '@fedhub/testkit/hub-harness';
import type { World } from './world.js';

export type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** The lease used by the suite's hub, ms. */
export const LEASE_MS = 30_000;

export interface SuiteState {
  hub: Hub;
  w: World;
}
