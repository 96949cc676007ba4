/**
 * A node for the ledger and DP attacks of the red-team suite: real DuckDB datasets from CSV, the node's
 * privacy ledger, budget and quota ledgers in a temporary data folder, and runs through the node's own
 * executor (the entry point every task from the hub takes), as a researcher would send them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import { DisclosurePolicySchema, type Json } from '@fedhub/protocol';
import { COHORT_DICTIONARY, type CohortRow, toCsv } from '@fedhub/testkit';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { executeRun, type RunOutcome } from '../../executor.js';
import { BudgetLedger } from '../budget-ledger.js';
import { PrivacyConfigSchema } from '../dp-config.js';
import type { PrivacyControls } from '../dp-gate.js';
import { PrivacyLedger } from '../privacy-ledger.js';
import { QuotaLedger } from '../quota-ledger.js';
import { openStudy } from '../study-gate.js';

export const POLICY = DisclosurePolicySchema.parse({});

export interface AttackNode {
  dir: string;
  store: DatasetStore;
  ledger: PrivacyLedger;
  privacy?: PrivacyControls;
  /** Runs one round of `algorithm` as a researcher of `studyId` (a fresh study when omitted). */
  ask(algorithm: string, params: Json, studyId?: string): Promise<RunOutcome>;
  /** Replaces the cohort file (a refresh of the node's data) and reloads the datasets. */
  refresh(rows: CohortRow[]): Promise<void>;
  close(): void;
}

export async function attackNode(
  rows: CohortRow[],
  opts: { privacy?: unknown; dir?: string } = {},
): Promise<AttackNode> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fedhub-red-team-'));
  const file = join(dir, 'cohort.csv');
  writeFileSync(file, toCsv(rows));
  const open = () =>
    DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
  const node: AttackNode = {
    dir,
    store: await open(),
    ledger: new PrivacyLedger(join(dir, 'data')),
    ...(opts.privacy
      ? {
          privacy: {
            config: PrivacyConfigSchema.parse(opts.privacy),
            budget: new BudgetLedger(join(dir, 'data')),
            quota: new QuotaLedger(join(dir, 'data')),
          },
        }
      : {}),
    async ask(algorithm, params, studyId = crypto.randomUUID()) {
      const a = getAlgorithm(algorithm)!;
      return executeRun(
        {
          runId: crypto.randomUUID(),
          taskId: crypto.randomUUID(),
          ...openStudy(studyId, ['n']),
          algorithm: a.name,
          version: a.version,
          digest: a.digest,
          params,
          round: 1,
          attempt: 1,
          input: a.firstInput(params as never),
          leaseExpiresAt: new Date().toISOString(),
          leaseMs: 30000,
          peers: [],
        },
        {
          node: { id: 'n', name: 'Hospital A' },
          policy: POLICY,
          // one node's ledger and budget under attack: the floors' own attacks are in floors.test.ts
          floors: { minNodes: 1, minOrganisations: 1 },
          datasets: node.store,
          ledger: node.ledger,
          ...(node.privacy ? { privacy: node.privacy } : {}),
        },
      );
    },
    async refresh(next) {
      node.store.close();
      writeFileSync(file, toCsv(next));
      node.store = await open();
    },
    close() {
      node.store.close();
      node.ledger.close();
      node.privacy?.budget.close();
      node.privacy?.quota.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

/**
 * The exact sum of a summary column, as the researcher reconstructs it: from the node's additive vector
 * (n and the sum about the public shift; one node, so nothing masks it) or from n and mean.
 */
export function releasedSum(outcome: RunOutcome, column: string): number | null {
  if (outcome.outcome !== 'completed') return null;
  const p = outcome.payload as {
    columns?: Array<{ column: string; n: number; mean: number }>;
    additive?: number[];
    shifts?: number[];
    layout?: Array<[string, number]>;
  };
  if (p.additive && p.shifts && p.layout) {
    let at = 0;
    for (const [k, [name, width]] of p.layout.entries()) {
      if (name === column) return p.additive[at]! * p.shifts[k]! + p.additive[at + 2]!;
      at += width;
    }
    return null;
  }
  const c = p.columns?.find((x) => x.column === column);
  return c ? c.n * c.mean : null;
}
