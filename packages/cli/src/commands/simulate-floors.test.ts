/**
 * `fedhub simulate` with fewer than three files keeps working: its throwaway federation (every file the
 * user's own, on one machine) lowers the nodes' floors to the number of files, and says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { simulate, simulationFloors } from './simulate.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-simulate-floors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('simulate and the node floors', () => {
  it('keeps the default floors from three files up, lowers them below, and says so', () => {
    expect(simulationFloors(5)).toMatchObject({ minNodes: 3, minOrganisations: 3, lowered: false });
    expect(simulationFloors(3).lowered).toBe(false);
    const two = simulationFloors(2);
    expect(two).toMatchObject({ minNodes: 2, minOrganisations: 2, lowered: true });
    expect(two.notice).toContain('lowered to 2 node(s) of 2 organisation(s)');
  });

  it('runs a summary over two files, printing the lowered floor', async () => {
    const data = DEMO_CENTRES.slice(0, 2).map((c, i) => {
      const file = join(work, `c${i}.csv`);
      writeFileSync(file, toCsv(generateCohort(c, 120, 5 + i)));
      return { name: `centre-${i}`, file };
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const done = await simulate({
        data,
        algorithm: 'summary',
        params: { columns: ['age'] },
        quiet: false,
        logLevel: 'silent',
      });
      expect(done.status, JSON.stringify(done.error)).toBe('completed');
      const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toContain('floors are lowered to 2 node(s) of 2 organisation(s)');
    } finally {
      stderr.mockRestore();
    }
  }, 90_000);
});
