/**
 * The node's privacy gate, in two steps around the run:
 * - {@link admitPrivacy}, BEFORE any data is read: the per-study quota is taken, exact algorithms on a
 *   dataset under differential privacy are refused (unless the node admin listed them), and a private
 *   release's (epsilon, delta) is charged against the budget of the node dataset it reads: the root a
 *   derived dataset comes from, over every study. Whatever happens next, released or refused (small cell,
 *   differencing, anything a researcher can observe), the charge stands: a refusal costs like an answer.
 * - {@link privatizeAdmitted}, after the node's checks: the noise; and a run that read a governed dataset
 *   it was not admitted for (a derived dataset of a governed one, say) is refused.
 */
import type { ColumnSpec, Json, RunAssignment } from '@fedhub/protocol';
import { FedhubError } from '@fedhub/protocol';
import type { BudgetLedger } from './budget-ledger.js';
import { type DifferentialPrivacyEntry, dpEntryFor, type PrivacyConfig, quotaFor } from './dp-config.js';
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

/** A dataset as the gate sees it: its name and the node dataset (root) whose budget it spends. */
export interface GatedDataset {
  name: string;
  root: string;
}

/** What {@link admitPrivacy} let through: the roots admitted, and the private release's target if any. */
export interface PrivacyTicket {
  roots: Set<string>;
  target: { name: string; entry: DifferentialPrivacyEntry; delta: number } | null;
}

type RunRef = Pick<RunAssignment, 'studyId' | 'taskId' | 'runId' | 'algorithm' | 'version'>;

function governedBy(controls: PrivacyControls, datasets: GatedDataset[], studyId: string) {
  return datasets
    .map((d) => ({ ...d, entry: dpEntryFor(controls.config, d.root, studyId) }))
    .filter((x): x is GatedDataset & { entry: DifferentialPrivacyEntry } => x.entry !== undefined);
}

function refuseExact(algorithm: string, g: GatedDataset): never {
  throw new FedhubError(
    'FH_ERR_DP_REQUIRED',
    `dataset "${g.name}" releases only differentially private results${g.root !== g.name ? ` (it comes from "${g.root}")` : ''}, and ${algorithm} has no private version (supported: summary, crosstab)`,
    { dataset: g.name, algorithm },
  );
}

/** Quota, DP requirement and budget charge for a run about to read `datasets`; throws to refuse it. */
export function admitPrivacy(
  controls: PrivacyControls,
  run: RunRef,
  datasets: GatedDataset[],
): PrivacyTicket {
  const governed = governedBy(controls, datasets, run.studyId);
  for (const g of governed)
    if (!supportsDp(run.algorithm) && !g.entry.exactAlgorithms.includes(run.algorithm))
      refuseExact(run.algorithm, g);
  const noisy = supportsDp(run.algorithm) ? governed : [];
  if (new Set(noisy.map((g) => g.root)).size > 1)
    throw new FedhubError(
      'FH_ERR_DP_REQUIRED',
      `a differentially private release reads one dataset; this one reads ${noisy.map((g) => g.name).join(', ')}`,
    );
  const quota = quotaFor(controls.config, run.studyId);
  const target = noisy[0];
  const roots = new Set(datasets.map((d) => d.root));
  if (!target) {
    // taken before the data is read and never given back: a refused run has counted too
    if (quota !== undefined) controls.quota.take(run.studyId, run.taskId, quota);
    return { roots, target: null };
  }
  const entry = target.entry;
  const delta = entry.mechanism === 'laplace' ? 0 : entry.perRelease.delta;
  controls.budget.charge(
    {
      dataset: target.root,
      studyId: run.studyId,
      taskId: run.taskId,
      runId: run.runId,
      algorithm: `${run.algorithm}@${run.version}`,
      epsilon: entry.perRelease.epsilon,
      delta,
    },
    { epsilon: entry.budget.epsilon, delta: entry.mechanism === 'laplace' ? 0 : entry.budget.delta },
  );
  try {
    if (quota !== undefined) controls.quota.take(run.studyId, run.taskId, quota);
  } catch (err) {
    // refused before reading anything: the charge is taken back
    controls.budget.refund(run.runId);
    throw err;
  }
  return { roots, target: { name: target.name, entry, delta } };
}

/** The payload to send: noised where the run was admitted as a private release. */
export function privatizeAdmitted(
  controls: PrivacyControls,
  ticket: PrivacyTicket,
  run: RunRef,
  params: unknown,
  payload: Json,
  used: Map<string, { column(name: string): ColumnSpec; lineage: { root: string } }>,
): Json {
  const read = [...used].map(([name, d]) => ({ name, root: d.lineage.root }));
  for (const g of governedBy(controls, read, run.studyId)) {
    if (ticket.roots.has(g.root)) continue;
    // read without admission (its budget was not charged): never released exactly
    refuseExact(run.algorithm, g);
  }
  const target = ticket.target;
  if (!target) return payload;
  const d = used.get(target.name);
  if (!d) return payload;
  return privatizeRelease(run.algorithm, payload, {
    spec: {
      mechanism: target.entry.mechanism,
      epsilon: target.entry.perRelease.epsilon,
      delta: target.delta,
    },
    params,
    column: (c) => d.column(c),
    uniform: controls.uniform ?? new UniformSource(),
  });
}
