/**
 * What the node's privacy controls have let out so far: per (dataset, study) the differential-privacy budget
 * spent, beside the dataset's configured budget (which every study spends together: the sum over a
 * dataset's rows is what counts against it), and per study the quota used. Read from the node's own ledgers, for the
 * data officer (`fedhub node privacy`).
 */
import { BudgetLedger } from './budget-ledger.js';
import { dpEntryFor, type PrivacyConfig, quotaFor } from './dp-config.js';
import { QuotaLedger } from './quota-ledger.js';

export interface PrivacyStatus {
  budgets: Array<{
    dataset: string;
    studyId: string;
    mechanism: string | null;
    releases: number;
    spent: { epsilon: number; delta: number };
    /** null when no entry of the current configuration governs this pair any more */
    budget: { epsilon: number; delta: number } | null;
  }>;
  quotas: Array<{ studyId: string; used: number; max: number | null }>;
}

export function privacyStatus(dataDir: string, config: PrivacyConfig | undefined): PrivacyStatus {
  const budget = new BudgetLedger(dataDir);
  const quota = new QuotaLedger(dataDir);
  try {
    const budgets: PrivacyStatus['budgets'] = budget.totals().map((t) => {
      const entry = dpEntryFor(config, t.dataset, t.studyId);
      return {
        dataset: t.dataset,
        studyId: t.studyId,
        mechanism: entry?.mechanism ?? null,
        releases: t.releases,
        spent: { epsilon: t.epsilon, delta: t.delta },
        budget: entry
          ? { epsilon: entry.budget.epsilon, delta: entry.mechanism === 'laplace' ? 0 : entry.budget.delta }
          : null,
      };
    });
    // budgets configured for a named study that has not spent anything yet
    for (const e of config?.differential ?? [])
      if (e.study !== '*' && !budgets.some((b) => b.dataset === e.dataset && b.studyId === e.study))
        budgets.push({
          dataset: e.dataset,
          studyId: e.study,
          mechanism: e.mechanism,
          releases: 0,
          spent: { epsilon: 0, delta: 0 },
          budget: { epsilon: e.budget.epsilon, delta: e.mechanism === 'laplace' ? 0 : e.budget.delta },
        });
    const quotas = quota.totals().map((q) => ({ ...q, max: quotaFor(config, q.studyId) ?? null }));
    return { budgets, quotas };
  } finally {
    budget.close();
    quota.close();
  }
}
