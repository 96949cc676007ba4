/**
 * What a running node holds open: its datasets, its SQLite stores (privacy ledger, budget and quota, audit
 * log, approvals, hub checkpoints) and the worker pool for model partials, opened together at start and
 * closed together by one `close()`.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createRowPool, defaultRowPoolWorkerUrl, type RowPool } from '@fedhub/stats';
import type { NodeConfig, ResolvedDataset } from '../config.js';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { ApprovalStore } from '../governance/approval-store.js';
import { BudgetLedger } from '../governance/budget-ledger.js';
import { CheckpointStore } from '../governance/checkpoint-store.js';
import type { PrivacyControls } from '../governance/dp-gate.js';
import { NodeAuditLog } from '../governance/node-audit-log.js';
import { PrivacyLedger } from '../governance/privacy-ledger.js';
import { QuotaLedger } from '../governance/quota-ledger.js';

export type NodeResourcesConfig = Pick<NodeConfig, 'dataDir' | 'compute' | 'privacy'> & {
  resolvedDatasets: ResolvedDataset[];
};

/** The worker pool a node uses: the one it is given, or its own (lazy, `compute.threads`), or none. */
export interface NodeRowPool {
  pool: RowPool | undefined;
  /** Closes the pool if the node started it (a given pool belongs to the caller). */
  close(): Promise<void>;
}

export function nodeRowPool(config: Pick<NodeConfig, 'compute'>, given?: RowPool): NodeRowPool {
  if (given) return { pool: given, close: async () => {} };
  const threads = config.compute.threads ?? Math.min(8, availableParallelism());
  const workerUrl = defaultRowPoolWorkerUrl();
  const own =
    threads === 0 || !workerUrl ? undefined : createRowPool({ size: threads, workerUrl, lazy: true });
  return { pool: own, close: async () => own?.close() };
}

export interface NodeResources {
  readonly datasets: DatasetStore;
  readonly ledger: PrivacyLedger;
  /** Present when the node config has a `privacy` section (differential privacy, quota). */
  readonly privacy: PrivacyControls | undefined;
  readonly audit: NodeAuditLog;
  readonly approvals: ApprovalStore;
  readonly checkpoints: CheckpointStore;
  /** Closes everything once; later calls do nothing. */
  close(): void;
}

/**
 * Opens the node's stores in `config.dataDir` over `datasets` (already loading, or opened from the config
 * when absent). If a store fails to open, those already open are closed before the error is thrown.
 */
export async function openNodeResources(
  config: NodeResourcesConfig,
  datasets?: Promise<DatasetStore>,
  options: { ledgerRowIdentity?: 'keyed' | 'in-memory' } = {},
): Promise<NodeResources> {
  const opened: Array<{ close(): void }> = [];
  const keep = <T extends { close(): void }>(x: T): T => {
    opened.push(x);
    return x;
  };
  const closeAll = () => {
    for (const x of opened.splice(0).reverse()) x.close();
  };
  try {
    const ds = keep(
      await (datasets ??
        DatasetStore.open(config.resolvedDatasets, { derivedDir: join(config.dataDir, 'derived') })),
    );
    const ledger = keep(
      new PrivacyLedger(config.dataDir, undefined, { rowIdentity: options.ledgerRowIdentity ?? 'keyed' }),
    );
    const privacy: PrivacyControls | undefined = config.privacy
      ? {
          config: config.privacy,
          budget: keep(new BudgetLedger(config.dataDir)),
          quota: keep(new QuotaLedger(config.dataDir)),
        }
      : undefined;
    const audit = keep(new NodeAuditLog(config.dataDir));
    const approvals = keep(new ApprovalStore(config.dataDir));
    const checkpoints = keep(new CheckpointStore(config.dataDir));
    return { datasets: ds, ledger, privacy, audit, approvals, checkpoints, close: closeAll };
  } catch (err) {
    closeAll();
    throw err;
  }
}
