/**
 * The node's last gate before a result leaves: the per-study quota, then, where the dataset and study are
 * under differential privacy, the budget charge (before release) and the noise. Exact releases of
 * algorithms without a private version are refused there unless the node admin listed them.
 */
import type { ColumnSpec, Json, RunAssignment } from '@fedhub/protocol';
import { FedhubError } from '@fedhub/protocol';
import type { BudgetLedger } from './budget-ledger.js';
import { dpEntryFor, type PrivacyConfig, quotaFor } from './dp-config.js';
import { UniformSource } from './dp-mechanism.js';
import { privatizeRelease, supportsDp } from './dp-release.js';
import type { QuotaLedger } from './quota-ledger.js';

export interface PrivacyControls {
  config: PrivacyConfig;
  budget: BudgetLedger;
  quota: QuotaLedger;
  /** The noise source; a fresh CSPRNG-backed one when omitted. */
  uniform?: UniformSource;
}

/** Applies quota and differential privacy to a release that read records; returns the payload to send. */
export function applyPrivacyControls(
  controls: PrivacyControls,
  run: Pick<RunAssignment, 'studyId' | 'taskId' | 'runId' | 'algorithm' | 'version'>,
  params: unknown,
  payload: Json,
  datasets: Map<string, { column(name: string): ColumnSpec }>,
): Json {
  const quota = quotaFor(controls.config, run.studyId);
  const governed = [...datasets]
    .map(([name, d]) => ({ name, d, entry: dpEntryFor(controls.config, name, run.studyId) }))
    .filter((x) => x.entry !== undefined);
  for (const g of governed)
    if (!supportsDp(run.algorithm) && !g.entry!.exactAlgorithms.includes(run.algorithm))
      throw new FedhubError(
        'FH_ERR_DP_REQUIRED',
        `dataset "${g.name}" releases only differentially private results for this study, and ${run.algorithm} has no private version (supported: summary, crosstab)`,
        { dataset: g.name, algorithm: run.algorithm },
      );
  const noisy = supportsDp(run.algorithm) ? governed : [];
  if (noisy.length > 1)
    throw new FedhubError(
      'FH_ERR_DP_REQUIRED',
      `a differentially private release reads one dataset; this one reads ${noisy.map((g) => g.name).join(', ')}`,
    );
  const counted = quota !== undefined && controls.quota.take(run.studyId, run.taskId, quota);
  const target = noisy[0];
  if (!target) return payload;
  const entry = target.entry!;
  const delta = entry.mechanism === 'laplace' ? 0 : entry.perRelease.delta;
  try {
    // noised first (nothing leaves yet), so a release refused for its inputs costs no budget
    const released = privatizeRelease(run.algorithm, payload, {
      spec: { mechanism: entry.mechanism, epsilon: entry.perRelease.epsilon, delta },
      params,
      column: (c) => target.d.column(c),
      uniform: controls.uniform ?? new UniformSource(),
    });
    controls.budget.charge(
      {
        dataset: target.name,
        studyId: run.studyId,
        taskId: run.taskId,
        runId: run.runId,
        algorithm: `${run.algorithm}@${run.version}`,
        epsilon: entry.perRelease.epsilon,
        delta,
      },
      { epsilon: entry.budget.epsilon, delta: entry.mechanism === 'laplace' ? 0 : entry.budget.delta },
    );
    return released;
  } catch (err) {
    // a refused release uses no quota
    if (counted) controls.quota.giveBack(run.studyId, run.taskId);
    throw err;
  }
}
