/**
 * The reference federation of the algorithms' federated tests: three DuckDB-backed nodes (the centres of
 * `packages/stats/fixtures/cohort.csv`) with their keys and the default disclosure policy, run through the
 * node's executor with secure aggregation (`runLocalFederation`), against R on the pooled rows (reference
 * numbers from packages/stats/scripts/make-fixtures.R, in packages/stats/fixtures/).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeKeys } from '@fedhub/crypto';
import { DatasetStore, type LocalNode } from '@fedhub/node';
import { type ColumnSpec, DisclosurePolicySchema } from '@fedhub/protocol';
import { afterAll, beforeAll } from 'vitest';

/** The folder of the R reference numbers. */
export const STATS_FIXTURES = fileURLToPath(new URL('../../../stats/fixtures/', import.meta.url));

/** A fixture file of packages/stats/fixtures, parsed. */
export function statsFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(STATS_FIXTURES, name), 'utf8')) as T;
}

/** Relative difference of a from the reference b. */
export const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// levels and ranges declared, as a node's dictionary must for tables (levels come from the dictionary)
const DICTIONARY: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C'] },
  { name: 'age', type: 'numeric', resolution: 0.001 },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] },
  { name: 'dose_gy', type: 'numeric', resolution: 0.001 },
  { name: 'toxicity', type: 'integer', min: 0, max: 1 },
  { name: 'events', type: 'integer' },
  { name: 'exposure', type: 'numeric' },
  { name: 'months', type: 'numeric', min: 0, max: 240 },
  { name: 'dead', type: 'integer' },
  { name: 'w', type: 'numeric' },
  { name: 'score', type: 'numeric' },
];

export interface ReferenceFederation {
  /** The three centres' nodes (filled before the file's tests run). */
  readonly nodes: LocalNode[];
  /** A scratch folder of the file, removed after its tests. */
  readonly dir: string;
  /**
   * The nodes under a policy that allows cells of one record: for validations whose score histograms or
   * risk groups have a small cell at a centre (the default policy refuses them), to compare numbers with R.
   */
  permissive(): LocalNode[];
  /** A node of its own over `rows` of a CSV `file` (the DRL survey's facilities). */
  node(name: string, dataset: string, file: string, columns: ColumnSpec[]): Promise<LocalNode>;
}

/** Registers, in the calling test file, the hooks that open the three nodes before its tests and close them after. */
export function useReferenceFederation(): ReferenceFederation {
  const nodes: LocalNode[] = [];
  const extra: LocalNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fedhub-reference-'));
  const node = async (name: string, dataset: string, file: string, columns: ColumnSpec[]) => {
    const datasets = await DatasetStore.open([
      { name: dataset, file, format: 'csv', columns, onInvalid: 'reject' },
    ]);
    return {
      id: crypto.randomUUID(),
      name,
      datasets,
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
    };
  };
  beforeAll(async () => {
    const lines = readFileSync(join(STATS_FIXTURES, 'cohort.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!;
    const centres = [...new Set(lines.slice(1).map((l) => l.split(',')[0]!))].sort();
    for (const c of centres) {
      const file = join(dir, `${c}.csv`);
      writeFileSync(
        file,
        `${header}\n${lines
          .slice(1)
          .filter((l) => l.startsWith(`${c},`))
          .join('\n')}\n`,
      );
      nodes.push(await node(`Centre ${c}`, 'cohort', file, DICTIONARY));
    }
  });
  afterAll(() => {
    for (const n of [...nodes, ...extra]) n.datasets.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    nodes,
    dir,
    permissive: () => nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } })),
    async node(name, dataset, file, columns) {
      const n = await node(name, dataset, file, columns);
      extra.push(n);
      return n;
    },
  };
}
