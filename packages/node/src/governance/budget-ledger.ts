/**
 * The node's differential-privacy budget ledger: every noisy release is charged (epsilon, delta) against the
 * budget of its node dataset (the root a derived dataset comes from; summed over every study and every
 * researcher, so a new study brings no new budget) BEFORE the run reads any data, in one SQLite
 * transaction, and refused with FH_ERR_BUDGET_EXHAUSTED when the charge would exceed the budget. A run
 * refused after reading data has paid like one released. Composition is basic: the epsilons and
 * the deltas of the releases add up (sound for any mechanisms; tighter accountants would allow more queries).
 * The ledger lives in the node's data folder, so no action at the hub (a database restore, a new task id,
 * another researcher) can give spent budget back.
 */
import { join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';

export interface Budget {
  epsilon: number;
  delta: number;
}

export interface Charge extends Budget {
  dataset: string;
  studyId: string;
  taskId: string;
  runId: string;
  algorithm: string;
}

/** Rounding slack when adding epsilons: ten charges of 0.1 must fit a budget of 1. */
const SLACK = 1e-9;

export class BudgetLedger {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openNodeStore(join(dataDir, 'privacy-budget.sqlite'), [
      `CREATE TABLE IF NOT EXISTS dp_charges (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      dataset TEXT NOT NULL,
      study_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      epsilon REAL NOT NULL,
      delta REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dp_charges_by_budget ON dp_charges (dataset, study_id);`,
    ]);
  }

  /** What the dataset has spent so far, over every study. */
  spent(dataset: string): Budget {
    const row = this.db
      .prepare(
        'SELECT COALESCE(SUM(epsilon), 0) AS e, COALESCE(SUM(delta), 0) AS d FROM dp_charges WHERE dataset = ?',
      )
      .get(dataset) as { e: number; d: number };
    return { epsilon: row.e, delta: row.d };
  }

  /**
   * Charges `c` against `budget`, or throws FH_ERR_BUDGET_EXHAUSTED and charges nothing. Check and insert
   * are one transaction: two runs of one study at once cannot both take the last share.
   */
  charge(c: Charge, budget: Budget, now = new Date()): Budget {
    return this.db.transaction(() => {
      const s = this.spent(c.dataset);
      if (s.epsilon + c.epsilon > budget.epsilon + SLACK || s.delta + c.delta > budget.delta + SLACK)
        throw new FedhubError(
          'FH_ERR_BUDGET_EXHAUSTED',
          `the differential-privacy budget of dataset "${c.dataset}" at this node is spent (over every study): ` +
            `epsilon ${round(s.epsilon)} of ${budget.epsilon} and delta ${s.delta} of ${budget.delta} used, ` +
            `this release needs epsilon ${c.epsilon}, delta ${c.delta}`,
          {
            dataset: c.dataset,
            spent: s,
            budget,
            requested: { epsilon: c.epsilon, delta: c.delta },
          },
        );
      this.db
        .prepare(
          'INSERT INTO dp_charges (at, dataset, study_id, task_id, run_id, algorithm, epsilon, delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(now.toISOString(), c.dataset, c.studyId, c.taskId, c.runId, c.algorithm, c.epsilon, c.delta);
      return { epsilon: budget.epsilon - s.epsilon - c.epsilon, delta: budget.delta - s.delta - c.delta };
    })();
  }

  /** Takes back the charge of a run refused before it read any data (its study's quota was used up). */
  refund(runId: string): void {
    this.db.prepare('DELETE FROM dp_charges WHERE run_id = ?').run(runId);
  }

  /** What every (dataset, study) has spent, and in how many releases (for the node's data officer). */
  totals(): Array<{ dataset: string; studyId: string; epsilon: number; delta: number; releases: number }> {
    return (
      this.db
        .prepare(
          'SELECT dataset, study_id, SUM(epsilon) AS e, SUM(delta) AS d, COUNT(*) AS n FROM dp_charges GROUP BY dataset, study_id ORDER BY dataset, study_id',
        )
        .all() as Array<{ dataset: string; study_id: string; e: number; d: number; n: number }>
    ).map((r) => ({ dataset: r.dataset, studyId: r.study_id, epsilon: r.e, delta: r.d, releases: r.n }));
  }

  close(): void {
    this.db.close();
  }
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
