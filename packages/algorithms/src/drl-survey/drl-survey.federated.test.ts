/**
 * Federated DRL survey against the pooled two-stage computation.
 * Over the reference federation (three DuckDB-backed nodes, the node's executor, secure aggregation).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { DatasetStore, type LocalNode, runLocalFederation } from '@fedhub/node';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { useReferenceFederation } from '../test-support/reference-federation.js';

const fed = useReferenceFederation();
const { dir } = fed;

describe('federated DRL survey', () => {
  it('equals the pooled two-stage computation over 10 facilities, excluding a facility under the minimum', async () => {
    const { generateDoseRecords, DOSE_DICTIONARY, toCsv } = await import('@fedhub/testkit');
    const { quantileType7, median } = await import('@fedhub/dicom');
    const facilities: LocalNode[] = [];
    const rowsByFacility: Array<ReturnType<typeof generateDoseRecords>> = [];
    for (let i = 0; i < 10; i++) {
      const rows = generateDoseRecords(i === 9 ? 30 : 300, 500 + i, 0.7 + 0.06 * i, `F${i}`);
      rowsByFacility.push(rows);
      const file = join(dir, `dose-${i}.csv`);
      writeFileSync(file, toCsv(rows));
      const datasets = await DatasetStore.open([
        { name: 'dose', file, format: 'csv', columns: DOSE_DICTIONARY, onInvalid: 'reject' },
      ]);
      facilities.push({
        id: crypto.randomUUID(),
        name: `Facility ${i}`,
        datasets,
        keys: generateNodeKeys(),
        policy: DisclosurePolicySchema.parse({}),
      });
    }
    try {
      const { result } = await runLocalFederation('drl-survey', { dataset: 'dose', minN: 20 }, facilities);
      const r = result as {
        results: Array<{
          exam: string;
          group: string;
          phantom: string;
          quantity: string;
          drl: number;
          nFacilities: number;
          facilities: Array<{ facility: string }>;
          excludedFacilities: Array<{ facility: string }>;
        }>;
      };
      const chest = r.results.find(
        (x) => x.exam === 'chest' && x.group === 'adult' && x.quantity === 'ctdivol',
      )!;
      // pooled two-stage reference: per facility median of its chest CTDIvol, then the type-7 75th percentile
      const medians = rowsByFacility
        .map((rows) => rows.filter((row) => row.exam === 'chest').map((row) => row.ctdivol_mgy as number))
        .filter((v) => v.length >= 20)
        .map((v) => median(v));
      expect(chest.nFacilities).toBe(medians.length);
      expect(chest.drl).toBe(quantileType7(medians, 0.75));
      expect(chest.nFacilities).toBe(9);
      // Facility 9 (under minN) contributes nothing, and no facility says what it withheld (a count under minN)
      expect(chest.facilities.map((f) => f.facility)).not.toContain('Facility 9');
      expect(chest.excludedFacilities).toEqual([]);
      // head and body phantoms never mix
      expect(r.results.filter((x) => x.exam === 'head').every((x) => x.phantom === 'head16')).toBe(true);
    } finally {
      for (const f of facilities) f.datasets.close();
    }
  });
});
