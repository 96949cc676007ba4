/**
 * Runs one algorithm over several in-process nodes exactly as the federation would (each node's local
 * half with its own disclosure checks and secure-aggregation masks, then the aggregator, round after
 * round), without a hub. For tests of algorithms against reference software, and for quick checks.
 */
import { getAlgorithm, type ImagingSource, type ModelSource } from '@fedhub/algorithms';
import type { NodeKeys } from '@fedhub/crypto';
import {
  type DisclosurePolicy,
  FedhubError,
  type Json,
  type RunAssignment,
  type StudyDescriptor,
} from '@fedhub/protocol';
import type { DatasetStore } from './datasets/duckdb-store.js';
import { executeRun } from './executor.js';
import type { PrivacyControls } from './governance/dp-gate.js';
import type { PrivacyLedger } from './governance/privacy-ledger.js';
import type { RoundFloors } from './governance/round-floors.js';

export interface LocalNode {
  id: string;
  name: string;
  datasets: DatasetStore;
  keys: NodeKeys;
  policy: DisclosurePolicy;
  /** The node's DICOM store, for algorithms that read images. */
  imaging?: ImagingSource;
  /** Registered model files by digest (what a node fetches from the hub). */
  models?: ModelSource;
  /** Per-study quota and differential privacy, as the node's configuration sets them. */
  privacy?: PrivacyControls;
  /** Receives the run's progress as the agent would send it to the hub (cases done / total). */
  progress?: (done: number, total: number) => void;
  /** The node's organisation (default: an organisation of its own). */
  organisationId?: string;
  /** The node's floors on each round (default: 3 nodes of 3 organisations, as a real node). */
  floors?: RoundFloors;
  /** The node's privacy ledger, where a test or the simulation audits the releases as a node does. */
  ledger?: PrivacyLedger;
}

export interface LocalFederationResult {
  result: Json;
  rounds: number;
  /** Every payload the aggregator received, per round (what the hub would store). */
  transcript: Json[][];
}

export async function runLocalFederation(
  algorithmName: string,
  params: unknown,
  nodes: LocalNode[],
  opts: { maxRounds?: number; secureAggregation?: boolean; studyId?: string; study?: StudyDescriptor } = {},
): Promise<LocalFederationResult> {
  const algorithm = getAlgorithm(algorithmName);
  if (!algorithm) throw new FedhubError('FH_ERR_UNKNOWN_ALGORITHM', `no algorithm "${algorithmName}"`);
  const parsed = algorithm.paramsSchema.parse(params);
  const taskId = crypto.randomUUID();
  const caches = new Map(nodes.map((n) => [n.id, new Map<string, unknown>()]));
  const organisations = new Map(nodes.map((n) => [n.id, n.organisationId ?? crypto.randomUUID()]));
  const peers = nodes.map((n) => ({
    nodeId: n.id,
    x25519: n.keys.x25519.publicKey,
    organisationId: organisations.get(n.id)!,
  }));
  // A local simulation holds every node's data already: unrestricted unless a study is given.
  const study: StudyDescriptor = opts.study ?? {
    id: opts.studyId ?? taskId,
    title: 'local federation',
    status: 'active',
    nodeIds: nodes.map((n) => n.id),
    minNodes: 1,
    variables: null,
    algorithms: null,
    startsAt: null,
    endsAt: null,
    releasePerNodeBreakdown: true,
    releaseSubgroupAnalyses: true,
  };
  let input: Json = algorithm.firstInput(parsed);
  let state: Json | null = null;
  const transcript: Json[][] = [];
  for (let round = 1; round <= (opts.maxRounds ?? 200); round++) {
    const outcomes = await Promise.all(
      nodes.map((n) => {
        const run: RunAssignment = {
          runId: crypto.randomUUID(),
          taskId,
          studyId: study.id,
          study,
          algorithm: algorithm.name,
          version: algorithm.version,
          digest: algorithm.digest,
          params: params as Json,
          round,
          attempt: 1,
          input,
          leaseExpiresAt: new Date().toISOString(),
          leaseMs: 30000,
          peers,
        };
        return executeRun(run, {
          node: { id: n.id, name: n.name, organisationId: organisations.get(n.id)! },
          policy: n.policy,
          ...(n.floors ? { floors: n.floors } : {}),
          datasets: n.datasets,
          cacheFor: () => caches.get(n.id)!,
          ...(n.imaging ? { imaging: n.imaging } : {}),
          ...(n.models ? { models: n.models } : {}),
          ...(n.privacy ? { privacy: n.privacy } : {}),
          ...(n.ledger ? { ledger: n.ledger } : {}),
          ...(n.progress ? { progress: n.progress } : {}),
          ...(opts.secureAggregation === false
            ? {}
            : { secureAggregation: { x25519PrivateKey: n.keys.x25519.privateKey } }),
        });
      }),
    );
    const refused = outcomes.find((o) => o.outcome !== 'completed');
    if (refused?.error) throw new FedhubError('FH_ERR_NODE_REFUSED', refused.error.message, refused.error);
    const parts = outcomes.map((o, i) => ({
      nodeId: nodes[i]!.id,
      nodeName: nodes[i]!.name,
      payload: o.payload as Json,
    }));
    transcript.push(parts.map((p) => p.payload));
    const out = algorithm.aggregate({
      params: parsed,
      round,
      state,
      parts,
      releasePerNodeBreakdown: study.releasePerNodeBreakdown,
    });
    if (out.kind === 'done') return { result: out.result, rounds: round, transcript };
    input = out.input;
    state = out.state;
  }
  throw new FedhubError('FH_ERR_ALGORITHM_FAILED', `${algorithmName} did not finish within the round limit`);
}
