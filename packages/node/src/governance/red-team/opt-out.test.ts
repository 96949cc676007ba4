/**
 * Red team, class 8: opt-out lists could not be configured (`node.yaml` rejected `optOut`), so a patient
 * who objected was still counted. Here the opt-out comes from node.yaml as an operator writes it (a file
 * at one node, inline identifiers at another), is applied before any algorithm reads the dataset, and
 * carries over to a derived dataset joined to it. The pooled summary equals the one computed directly
 * from the CSV files without the opted-out rows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadNodeConfigFile } from '../../config.js';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from '../../local-federation.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-red-optout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Rows of a CSV as records of strings. */
function rows(csv: string): Array<Record<string, string>> {
  const [head, ...lines] = csv.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

describe('optOut in node.yaml', () => {
  it('removes opted-out patients before every algorithm, at every node, and from joined derived datasets', async () => {
    const nodes: LocalNode[] = [];
    const kept: number[] = [];
    const stores: DatasetStore[] = [];
    for (const [i, centre] of DEMO_CENTRES.slice(0, 3).entries()) {
      const csv = toCsv(generateCohort(centre, 120, 40 + i));
      const file = join(work, `c${i}.csv`);
      writeFileSync(file, csv);
      const all = rows(csv);
      // every third patient objected; node 0 lists them in a file, the others inline
      const out = all.filter((_, j) => j % 3 === 0).map((r) => r.patient_id!);
      for (const r of all)
        if (!out.includes(r.patient_id!) && r.age !== '' && r.age !== 'NA') kept.push(Number(r.age));
      if (i === 0) writeFileSync(join(work, 'optout-0.txt'), `# objections\n${out.join('\n')}\n`);
      const optOut =
        i === 0 ? { column: 'patient_id', file: 'optout-0.txt' } : { column: 'patient_id', ids: out };
      const yamlPath = join(work, `node-${i}.yaml`);
      writeFileSync(
        yamlPath,
        stringify({
          hub: { url: 'http://127.0.0.1:1' },
          dataDir: join(work, `node-${i}`),
          datasets: [
            { name: 'cohort', file: `c${i}.csv`, dictionary: { columns: COHORT_DICTIONARY }, optOut },
          ],
        }),
      );
      const cfg = loadNodeConfigFile(yamlPath);
      expect(cfg.resolvedDatasets[0]!.optOut?.column).toBe('patient_id');
      const store = await DatasetStore.open(cfg.resolvedDatasets);
      stores.push(store);
      expect(store.get('cohort').rowCount).toBe(all.length - out.length);
      // a derived dataset joined to the cohort holds no opted-out patient either
      const derived = await store.registerDerived({
        name: 'features',
        columns: [
          { name: 'pid', type: 'categorical', identifier: true },
          { name: 'feature', type: 'numeric' },
        ],
        rows: all.map((r, j) => ({ pid: r.patient_id!, feature: j })),
        join: { dataset: 'cohort', column: 'patient_id' },
      });
      expect(derived.rows).toBe(all.length - out.length);
      nodes.push({
        id: crypto.randomUUID(),
        name: centre.name,
        datasets: store,
        keys: generateNodeKeys(),
        policy: cfg.policy,
      });
    }
    const { result } = await runLocalFederation('summary', { dataset: 'cohort', columns: ['age'] }, nodes);
    const age = (result as { columns: Array<{ n: number; mean: number }> }).columns[0]!;
    expect(age.n).toBe(kept.length);
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    expect(Math.abs(age.mean - mean)).toBeLessThan(1e-12 * Math.abs(mean));
    for (const s of stores) s.close();
  });

  it('rejects an optOut naming no list, both lists, or a column the dataset lacks', () => {
    const write = (optOut: unknown) => {
      const p = join(work, 'bad.yaml');
      writeFileSync(
        p,
        stringify({
          hub: { url: 'http://127.0.0.1:1' },
          datasets: [{ name: 'cohort', file: 'c0.csv', dictionary: { columns: COHORT_DICTIONARY }, optOut }],
        }),
      );
      return p;
    };
    expect(() => loadNodeConfigFile(write({ column: 'patient_id' }))).toThrow(/exactly one of file and ids/);
    expect(() => loadNodeConfigFile(write({ column: 'patient_id', ids: ['a'], file: 'x' }))).toThrow(
      /exactly one/,
    );
    expect(() => loadNodeConfigFile(write({ column: 'nhs_number', ids: ['a'] }))).toThrow(/nhs_number/);
    expect(readFileSync(join(work, 'optout-0.txt'), 'utf8')).toContain('# objections');
  });
});
