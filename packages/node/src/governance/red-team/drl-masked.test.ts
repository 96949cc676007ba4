/**
 * Red team, class 7 (the hub sees per-node data), `drl-survey`: a facility median is one hospital's figure.
 * In a study without per-node breakdowns, no facility's median, quartiles or counts reach the hub or the
 * researcher as that facility's: the nodes send masked release counts, then a masked one-hot histogram of
 * their medians on a 2% logarithmic grid; the DRL is the 75th percentile of the summed histogram.
 * The test runs the survey over four facilities (through each node's real executor and secure
 * aggregation), checks the DRL against the two-stage computation on the files, and requires every payload
 * the hub stored to be a masked vector plus the dictionary's exam levels, identical in a second federation
 * whose doses differ; a stratum only two facilities hold gives no DRL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASKED_FIELD } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { median, quantileType7 } from '@fedhub/dicom';
import { DisclosurePolicySchema, type Json, type StudyDescriptor } from '@fedhub/protocol';
import { DOSE_DICTIONARY, generateDoseRecords, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from '../../local-federation.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-red-drl-'));
const ids = [0, 1, 2, 3].map(() => crypto.randomUUID());
const open: LocalNode[] = [];
afterAll(() => {
  for (const n of open) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

async function federation(seed: number, factor: (i: number) => number, drop?: (i: number) => string) {
  const nodes: LocalNode[] = [];
  const rows: Array<ReturnType<typeof generateDoseRecords>> = [];
  for (let i = 0; i < 4; i++) {
    let r = generateDoseRecords(400, seed + i, factor(i), `F${i}`);
    if (drop) r = r.filter((x) => x.exam !== drop(i));
    rows.push(r);
    const file = join(dir, `s${seed}-f${i}.csv`);
    writeFileSync(file, toCsv(r));
    const node: LocalNode = {
      id: ids[i]!,
      name: `Facility ${i}`,
      datasets: await DatasetStore.open([
        { name: 'dose', file, format: 'csv', columns: DOSE_DICTIONARY, onInvalid: 'reject' },
      ]),
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
      organisationId: ids[i]!,
    };
    nodes.push(node);
    open.push(node);
  }
  return { nodes, rows };
}

const study = (): StudyDescriptor => ({
  id: crypto.randomUUID(),
  title: 'DRL survey, pooled only',
  status: 'active',
  nodeIds: ids,
  minNodes: 3,
  variables: null,
  algorithms: null,
  startsAt: null,
  endsAt: null,
  releasePerNodeBreakdown: false,
});

type Drl = {
  exam: string;
  group: string;
  quantity: string;
  drl: number;
  nFacilities: number;
  medianOfMedians: number | null;
  facilities: unknown[];
};

async function survey(nodes: LocalNode[]) {
  const s = study();
  const { result, transcript } = await runLocalFederation(
    'drl-survey',
    { dataset: 'dose', minN: 20 },
    nodes,
    { study: s, studyId: s.id },
  );
  return { result: result as { results: Drl[]; unreleased: Array<{ exam: string }> }, transcript };
}

function clearParts(transcript: Json[][]) {
  return transcript.map((round) =>
    round.map((p) => {
      const { [MASKED_FIELD]: masked, ...rest } = p as Record<string, Json>;
      expect(masked).toBeDefined();
      return rest;
    }),
  );
}

describe('red team: drl-survey releases no facility median (pooled-only study)', () => {
  it('gives the DRL within 1% of the two-stage value while the hub holds only masked vectors', async () => {
    const a = await federation(700, (i) => 0.7 + 0.15 * i);
    const { result, transcript } = await survey(a.nodes);
    const chest = result.results.find(
      (x) => x.exam === 'chest' && x.group === 'adult' && x.quantity === 'ctdivol',
    )!;
    const medians = a.rows.map((rows) =>
      median(rows.filter((r) => r.exam === 'chest').map((r) => r.ctdivol_mgy as number)),
    );
    const want = quantileType7(medians, 0.75);
    expect(chest.nFacilities).toBe(4);
    expect(Math.abs(chest.drl - want) / want).toBeLessThan(0.01);
    // with four facilities the median of the medians stays home (it and the DRL would pin two medians)
    expect(chest.medianOfMedians).toBeNull();
    expect(chest.facilities).toEqual([]);
    // the hub stored masked vectors and the dictionary's exams, nothing else: no facility's median
    const clear = clearParts(transcript);
    for (const round of clear)
      for (const p of round) expect(Object.keys(p).sort()).toEqual(round === clear[0] ? ['exams'] : []);
    const text = JSON.stringify(clear);
    for (const m of medians) expect(text).not.toContain(String(m));
    // a second federation with other doses: what the hub can read is the same
    const b = await federation(900, (i) => 1.3 - 0.1 * i);
    expect(clearParts((await survey(b.nodes)).transcript)).toEqual(clear);
  });

  it("gives no DRL for a stratum only two facilities release (the DRL would be a mix of two hospitals' medians)", async () => {
    const c = await federation(
      1100,
      (i) => 0.8 + 0.1 * i,
      (i) => (i < 2 ? 'chest' : ''),
    );
    const { result } = await survey(c.nodes);
    expect(result.results.some((x) => x.exam === 'chest')).toBe(false);
    expect(result.unreleased.some((x) => x.exam === 'chest')).toBe(true);
    expect(result.results.every((x) => x.nFacilities >= 3)).toBe(true);
  });
});
