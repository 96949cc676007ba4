/**
 * The node agent: enrols once, then dials out to the hub for work (long-poll claims), keeps each claimed
 * run's lease alive with heartbeats, runs it locally, and posts a signed result. Never listens for the hub.
 *
 * The rooms, in `agent/`: `resources.ts` (datasets, the SQLite stores, the worker pool, one close),
 * `enrolment.ts`, `governance-sync.ts` (relayed approval decisions, held runs, hub checkpoints, on each
 * heartbeat), `run-lifecycle.ts` (one run from claim to posted result) and `work-loop.ts` (claims and
 * retries); `clock.ts` is the injected clock. This file wires them and owns start and stop.
 */
import type { ImagingSource } from '@fedhub/algorithms';
import { FedhubError } from '@fedhub/protocol';
import { HubRequestError, NodeApiClient } from '@fedhub/sdk';
import type { RowPool } from '@fedhub/stats';
import type { Logger } from 'pino';
import { isoNow, type NodeClock, systemNodeClock } from './agent/clock.js';
import { enrol } from './agent/enrolment.js';
import { governanceSync } from './agent/governance-sync.js';
import type { NodeIdentity } from './agent/identity.js';
import { type NodeResources, nodeRowPool, openNodeResources } from './agent/resources.js';
import { runOne, taskCaches } from './agent/run-lifecycle.js';
import { retrying, workLoop } from './agent/work-loop.js';
import type { NodeConfig, ResolvedDataset } from './config.js';
import { CredentialsStore } from './credentials-store.js';
import type { DatasetStore } from './datasets/duckdb-store.js';
import { AdminKeyStore } from './governance/approval-admin-keys.js';
import { approvalPolicy } from './governance/approval-gate.js';

export { type NodeClock, systemNodeClock } from './agent/clock.js';
export { type NodeResources, openNodeResources } from './agent/resources.js';

export const NODE_VERSION = '0.1.0';

export interface CreateNodeDeps {
  config: NodeConfig & { resolvedDatasets: ResolvedDataset[] };
  log: Logger;
  fetch?: typeof fetch;
  /** The node's time (heartbeats, held runs); the system clock when absent. */
  clock?: NodeClock;
  /** The node's DICOM store, for algorithms that read images (radiomics-extract). */
  imaging?: ImagingSource;
  /**
   * The node's datasets, already loading (`fedhub simulate` loads them while its hub starts); opened from
   * the config at start() when absent. The node closes them when it stops.
   */
  datasets?: Promise<DatasetStore>;
  /**
   * Worker threads for model partials shared by several nodes of one process (`fedhub simulate`), which
   * the caller closes; when absent the node starts its own (config `compute.threads`) on first use.
   */
  rowPool?: RowPool;
  /**
   * `in-memory`: the privacy ledger keeps row identities in this process only, for nodes thrown away with
   * it (`fedhub simulate`); the same checks, without a persistent HMAC per record. Default `keyed`.
   */
  ledgerRowIdentity?: 'keyed' | 'in-memory';
}

export interface FedhubNode {
  /** Loads datasets, enrols if needed, and starts the work loop; resolves once the node is connected. */
  start(): Promise<void>;
  /** Stops claiming, lets a run in progress finish (its result is posted), and closes the datasets. */
  stop(): Promise<void>;
  readonly nodeId: string | undefined;
  /** Resolves when the work loop ends (after stop(), or on a fatal error such as clock skew). */
  readonly done: Promise<void>;
}

export function createNode(deps: CreateNodeDeps): FedhubNode {
  const { config, log } = deps;
  const clock = deps.clock ?? systemNodeClock;
  const credentials = new CredentialsStore(config.dataDir);
  const client = new NodeApiClient({ baseUrl: config.hub.url, fetch: deps.fetch });
  const abort = new AbortController();
  const withRetry = retrying(log, abort.signal);
  const pool = nodeRowPool(config, deps.rowPool);
  const identity: NodeIdentity = { nodeId: undefined, nodeName: '', organisationId: undefined };
  const cacheFor = taskCaches();
  let resources: NodeResources | undefined;
  const syncGovernance = governanceSync({ config, client, identity, resources: () => resources, clock, log });
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  let fatal: Error | undefined;
  let looping = false;

  /** Everything the node holds, closed once (the loop's end, or stop() before the loop started). */
  function release(): void {
    clearInterval(heartbeatTimer);
    resources?.close();
    resources = undefined;
    void pool.close();
    resolveDone();
  }

  /** Administrator keys enrolled at the node now (`fedhub node admins add` may add one while it runs). */
  const adminKeyCount = (): number => {
    try {
      return new AdminKeyStore(config.dataDir).list().length;
    } catch {
      return 0;
    }
  };

  async function heartbeat(): Promise<void> {
    try {
      await client.heartbeat({
        version: NODE_VERSION,
        clock: isoNow(clock),
        datasets: resources?.datasets.dictionaries() ?? [],
        approvals: approvalPolicy(config.approvals, adminKeyCount()),
      });
      await syncGovernance();
    } catch (err) {
      if (err instanceof HubRequestError && err.code === 'FH_ERR_CLOCK_SKEW') {
        fatal = new FedhubError(
          'FH_ERR_CLOCK_SKEW',
          `${err.message}: fix this machine's clock (NTP); the node stops rather than work with a wrong clock`,
        );
        log.error(fatal.message);
        abort.abort();
        return;
      }
      log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }

  return {
    get nodeId() {
      return identity.nodeId;
    },
    done,
    async start() {
      const r = await openNodeResources(config, deps.datasets, {
        ledgerRowIdentity: deps.ledgerRowIdentity ?? 'keyed',
      });
      resources = r;
      for (const report of r.datasets.reports)
        log.info(
          {
            dataset: report.dataset,
            rows: report.rows,
            excluded: report.excluded,
            problems: report.problems.length ? report.problems : undefined,
          },
          'dataset loaded',
        );
      await enrol({
        config,
        client,
        credentials,
        checkpoints: r.checkpoints,
        identity,
        withRetry,
        log,
        version: NODE_VERSION,
      });
      await heartbeat();
      if (fatal) throw fatal;
      heartbeatTimer = setInterval(() => void heartbeat(), config.heartbeatIntervalMs);
      looping = true;
      workLoop({
        client,
        claimWaitMs: config.claimWaitMs,
        signal: abort.signal,
        log,
        runOne: (run) =>
          runOne(
            {
              config,
              client,
              credentials,
              identity,
              resources: r,
              clock,
              withRetry,
              log,
              cacheFor,
              ...(deps.imaging ? { imaging: deps.imaging } : {}),
              ...(pool.pool ? { rowPool: pool.pool } : {}),
            },
            run,
          ),
      })
        .catch((err) => log.error({ err }, 'work loop ended with an error'))
        .finally(release);
      log.info(
        { hub: client.baseUrl, nodeId: identity.nodeId, nodeName: identity.nodeName },
        'node connected; waiting for work',
      );
    },
    async stop() {
      abort.abort();
      clearInterval(heartbeatTimer);
      if (!looping) release();
      await done;
    },
  };
}
