/**
 * The red team's harness: nodes over DuckDB datasets built from rows the attack chooses, and a federation
 * driven round by round through the node's real executor (`executeRun`) and the algorithm's aggregate, as
 * the hub would. A refusal is returned, not thrown, with what the hub received and what the node logged,
 * so a test can check that the one holds nothing the other does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import {
  type ColumnSpec,
  type DisclosurePolicy,
  DisclosurePolicySchema,
  type ErrorBody,
  type FedhubError,
  type Json,
  type RunAssignment,
  type StudyDescriptor,
} from '@fedhub/protocol';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { executeRun } from '../../executor.js';
import { PrivacyLedger } from '../privacy-ledger.js';

export type Row = Record<string, string | number | null>;

export interface AttackNode {
  id: string;
  name: string;
  datasets: DatasetStore;
  keys: ReturnType<typeof generateNodeKeys>;
  policy: DisclosurePolicy;
  ledger?: PrivacyLedger;
}

export interface Fed {
  nodes: AttackNode[];
  close(): void;
}

function csv(columns: ColumnSpec[], rows: Row[]): string {
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  return `${columns.map((c) => c.name).join(',')}\n${rows.map((r) => columns.map((c) => cell(r[c.name])).join(',')).join('\n')}\n`;
}

/** One node per list of rows, each with the dataset `name` under `columns`, the default policy unless given. */
export async function buildNodes(
  name: string,
  columns: ColumnSpec[],
  rowsPerNode: Row[][],
  opts: { policy?: Partial<DisclosurePolicy>; ledger?: boolean } = {},
): Promise<Fed> {
  const dir = mkdtempSync(join(tmpdir(), 'fedhub-red-team-'));
  const nodes: AttackNode[] = [];
  for (const [i, rows] of rowsPerNode.entries()) {
    const file = join(dir, `node-${i}.csv`);
    writeFileSync(file, csv(columns, rows));
    const datasets = await DatasetStore.open([{ name, file, format: 'csv', columns, onInvalid: 'reject' }]);
    nodes.push({
      id: crypto.randomUUID(),
      name: `Hospital ${String.fromCharCode(65 + i)}`,
      datasets,
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse(opts.policy ?? {}),
      ...(opts.ledger ? { ledger: new PrivacyLedger(join(dir, `ledger-${i}`)) } : {}),
    });
  }
  return {
    nodes,
    close() {
      for (const n of nodes) {
        n.datasets.close();
        n.ledger?.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Outcome =
  | { kind: 'result'; result: Record<string, unknown> }
  | {
      kind: 'refused';
      /** What the hub received from the refusing node. */
      body: ErrorBody;
      /** What the node logged for its data officer. */
      logged: FedhubError[];
    };

/**
 * The result of `got` in the shape the test reads (the test states the shape it expects; the fields it reads
 * are checked by its own assertions); a refusal throws with its code.
 */
export function resultOf<T>(got: Outcome): T {
  if (got.kind !== 'result') throw new Error(`expected a result, the run was refused with ${got.body.code}`);
  return got.result as unknown as T;
}

/** Runs `algorithm` over `nodes` to its end or to the first refusal, as the hub would. */
export async function federate(
  algorithmName: string,
  params: unknown,
  nodes: AttackNode[],
  opts: {
    studyId?: string;
    study?: Pick<StudyDescriptor, 'releaseSubgroupAnalyses'>;
    /** Sees each round's input as the nodes receive it, before they run it. */
    onInput?: (round: number, input: Json) => void;
    /** Sees each completed round as the hub would: the input the nodes ran and every payload it received. */
    onRound?: (round: number, input: Json, payloads: Json[]) => void;
  } = {},
): Promise<Outcome> {
  const algorithm = getAlgorithm(algorithmName);
  if (!algorithm) throw new Error(`no algorithm ${algorithmName}`);
  const parsed = algorithm.paramsSchema.parse(params);
  const taskId = crypto.randomUUID();
  const study: StudyDescriptor = {
    id: opts.studyId ?? crypto.randomUUID(),
    title: 'red team',
    status: 'active',
    nodeIds: nodes.map((n) => n.id),
    minNodes: 1,
    variables: null,
    algorithms: null,
    startsAt: null,
    endsAt: null,
    releasePerNodeBreakdown: false,
    ...opts.study,
  };
  const caches = new Map(nodes.map((n) => [n.id, new Map<string, unknown>()]));
  const peers = nodes.map((n) => ({ nodeId: n.id, x25519: n.keys.x25519.publicKey }));
  let input: Json = algorithm.firstInput(parsed);
  let state: Json | null = null;
  for (let round = 1; round <= 200; round++) {
    opts.onInput?.(round, input);
    const logged: FedhubError[] = [];
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
          node: { id: n.id, name: n.name },
          policy: n.policy,
          // attacks on cells and refusals in rounds of one or two nodes: the floors' own attacks are in
          // floors.test.ts
          floors: { minNodes: 1, minOrganisations: 1 },
          datasets: n.datasets,
          cacheFor: () => caches.get(n.id)!,
          ...(n.ledger ? { ledger: n.ledger } : {}),
          secureAggregation: { x25519PrivateKey: n.keys.x25519.privateKey },
          onRefusal: (err) => logged.push(err),
          onInternalError: (err) => logged.push(err as FedhubError),
        });
      }),
    );
    const refused = outcomes.find((o) => o.outcome !== 'completed');
    if (refused?.error) return { kind: 'refused', body: refused.error, logged };
    const parts = outcomes.map((o, i) => ({
      nodeId: nodes[i]!.id,
      nodeName: nodes[i]!.name,
      payload: o.payload as Json,
    }));
    opts.onRound?.(
      round,
      input,
      parts.map((p) => p.payload),
    );
    const out = algorithm.aggregate({ params: parsed, round, state, parts, releasePerNodeBreakdown: false });
    if (out.kind === 'done') return { kind: 'result', result: out.result as Record<string, unknown> };
    input = out.input;
    state = out.state;
  }
  throw new Error('no end within 200 rounds');
}

/** Every refusal body has this shape and nothing more: the rule, the algorithm, a parameter path. */
export function bodyKeys(body: ErrorBody): { top: string[]; details: string[] } {
  return {
    top: Object.keys(body).sort(),
    details: Object.keys((body.details ?? {}) as object).sort(),
  };
}
