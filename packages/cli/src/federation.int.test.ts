/**
 * End to end with real processes on loopback: the demo (a hub and three nodes as separate processes), and
 * `fedhub simulate` over CSV files, checked against the concatenated data.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from './child-process.js';
import { DEMO_ANALYSES } from './commands/demo.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'fedhub-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function fedhub(args: string[], timeout = 120_000) {
  try {
    const { stdout, stderr } = await run(process.execPath, [FEDHUB_BIN, ...args], {
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('fedhub demo --once', () => {
  it('starts a hub and three node processes and prints pooled results', async () => {
    const r = await fedhub(
      ['demo', '--once', '--json', '--port', '0', '--dir', join(work, 'demo'), '--patients', '400'],
      180_000,
    );
    expect(r.stderr).not.toMatch(/FH_ERR_/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      tasks: Array<{ status: string; algorithm: string; result: { nodes: string[] } }>;
    };
    expect(out.tasks.map((t) => t.status)).toEqual(DEMO_ANALYSES.map(() => 'completed'));
    expect(out.tasks.map((t) => t.algorithm)).toEqual(DEMO_ANALYSES.map((a) => a.algorithm));
    expect(out.tasks[0]!.result.nodes).toEqual(['Hospital A', 'Hospital B', 'Hospital C']);
    // the demo's dose survey renders as an HTML report with one box plot per DRL
    const drl = out.tasks.find((t) => t.algorithm === 'drl-survey')!;
    const json = join(work, 'drl-task.json');
    writeFileSync(json, JSON.stringify(drl));
    const html = join(work, 'drl.html');
    const rep = await fedhub([
      'dose',
      'report',
      '--from-json',
      json,
      '--out',
      html,
      '--csv',
      join(work, 'drl.csv'),
    ]);
    expect(rep.code, rep.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg/g)?.length).toBe(
      (drl.result as unknown as { results: unknown[] }).results.length,
    );
  }, 200_000);
});

describe('fedhub simulate', () => {
  const cohorts = DEMO_CENTRES.map((c, i) => generateCohort(c, 200, 77 + i, `S${i}`));
  const files = cohorts.map((rows, i) => {
    const f = join(work, `site-${i}.csv`);
    writeFileSync(f, toCsv(rows));
    return f;
  });
  const dataArgs = files.flatMap((f, i) => ['--data', `site-${i}=${f}`]);

  it('pools summary statistics equal to the concatenated files', async () => {
    const r = await fedhub([
      'simulate',
      ...dataArgs,
      '--algorithm',
      'summary',
      '--params',
      '{"columns": ["age", "dose_gy"]}',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const task = JSON.parse(r.stdout) as {
      status: string;
      result: { columns: Array<{ column: string; n: number; mean: number; sd: number }> };
    };
    expect(task.status).toBe('completed');
    for (const col of ['age', 'dose_gy']) {
      const values = cohorts.flat().map((row) => row[col] as number);
      const n = values.length;
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const got = task.result.columns.find((c) => c.column === col)!;
      expect(got.n).toBe(n);
      expect(got.mean).toBeCloseTo(mean, 10);
      expect(got.sd).toBeCloseTo(sd, 10);
    }
  }, 120_000);

  it("fits R's glm on the pooled files: the dictionaries inferred while loading, partials on worker threads, masked", async () => {
    const fixtures = fileURLToPath(new URL('../../stats/fixtures/', import.meta.url));
    const lines = readFileSync(join(fixtures, 'cohort.csv'), 'utf8').trim().split('\n');
    const centres = [...new Set(lines.slice(1).map((l) => l.split(',')[0]!))].sort();
    const args = centres.flatMap((c) => {
      const f = join(work, `cohort-${c}.csv`);
      writeFileSync(f, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
      return ['--data', `centre-${c}=${f}`];
    });
    const fits = (
      JSON.parse(readFileSync(join(fixtures, 'glm.json'), 'utf8')) as {
        fits: Array<{
          name: string;
          formula: string;
          weights: string;
          names: string[];
          estimate: number[];
          se: number[];
          deviance: number;
          nullDeviance: number;
        }>;
      }
    ).fits;
    // the levels round's partials are computed on the dictionary's levels (simulate gives its nodes one
    // dictionary): some record holds every level ('binomial' has factor(stage), and one centre has no stage
    // IV, which the others hold), so they serve as the first IRLS round's in both fits
    for (const [name, extraRounds] of [
      ['binomial', 1],
      ['binomialWeighted', 1],
    ] as const) {
      const ref = fits.find((f) => f.name === name)!;
      const r = await fedhub([
        'simulate',
        ...args,
        '--algorithm',
        'glm',
        '--params',
        JSON.stringify({
          formula: ref.formula,
          family: 'binomial',
          ...(ref.weights ? { weights: ref.weights } : {}),
        }),
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const task = JSON.parse(r.stdout) as {
        status: string;
        runs: Array<{ round: number }>;
        result: {
          coefficients: Array<{ term: string; estimate: number; stdError: number }>;
          deviance: number;
          nullDeviance: number;
          iterations: number;
        };
      };
      expect(task.status).toBe('completed');
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
      expect(task.result.coefficients.map((c) => c.term)).toEqual(ref.names);
      task.result.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, ref.estimate[j]!), `${name} ${c.term}`).toBeLessThan(1e-6);
        expect(rel(c.stdError, ref.se[j]!), `${name} ${c.term} SE`).toBeLessThan(1e-6);
      });
      expect(rel(task.result.deviance, ref.deviance)).toBeLessThan(1e-8);
      expect(rel(task.result.nullDeviance, ref.nullDeviance)).toBeLessThan(1e-8);
      // the levels round, one round per IRLS evaluation less the one the levels round may carry, and no
      // round of its own for the null deviance
      expect(Math.max(...task.runs.map((x) => x.round)), name).toBe(task.result.iterations + extraRounds);
    }
  }, 120_000);

  it("reports a node's refusal with the node's name and the rule's code", async () => {
    const r = await fedhub([
      'simulate',
      ...dataArgs,
      '--algorithm',
      'summary',
      '--params',
      '{"columns": ["age"], "filter": {"column": "age", "op": "gt", "value": 95}}',
      '--json',
    ]);
    expect(r.code).toBe(2);
    const task = JSON.parse(r.stdout) as {
      status: string;
      error: { code: string; message: string };
      runs: Array<{ nodeName: string; error: { code: string } | null }>;
    };
    expect(task.status).toBe('failed');
    expect(task.error.code).toBe('FH_ERR_NODE_REFUSED');
    expect(
      task.runs.some((run) => run.nodeName.startsWith('site-') && run.error?.code === 'FH_ERR_SMALL_SUBSET'),
    ).toBe(true);
  }, 120_000);

  it('rejects malformed parameters with the field path, before any node runs', async () => {
    const r = await fedhub([
      'simulate',
      ...dataArgs,
      '--algorithm',
      'summary',
      '--params',
      '{"columns": "age"}',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe('FH_ERR_BAD_PARAMS');
    expect(JSON.stringify(body.error)).toContain('columns');
  }, 120_000);

  it('names an unknown column', async () => {
    const r = await fedhub([
      'simulate',
      ...dataArgs,
      '--algorithm',
      'summary',
      '--params',
      '{"columns": ["weight"]}',
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('FH_ERR_UNKNOWN_COLUMN');
    expect(r.stdout).toContain('weight');
  }, 120_000);
});
