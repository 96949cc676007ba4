/**
 * `fedhub dose` end to end with the built CLI: `extract` on the real dose reports gives the totals of the
 * independent pydicom reference (expected.json), and `report --from-json` on a real `drl-survey` result writes an
 * HTML page whose box plots render in headless Chromium (screenshot under test-output/).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateNodeKeys } from '@fedhub/crypto';
import { type DrlSurvey, drlSurveyCsv } from '@fedhub/dicom';
import { DatasetStore, importDoseFolder, registryDataset, runLocalFederation } from '@fedhub/node';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);

/** The repository root: the folder of package-lock.json, walking up from this file. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new Error('no package-lock.json above the test file: cannot find the repository root');
    dir = up;
  }
  return dir;
}
const repoRoot = findRepoRoot();
const rdsr = resolve(repoRoot, '../shared/reference/rdsr');
if (!existsSync(join(rdsr, 'expected.json')))
  throw new Error(
    `reference dose reports missing: ${rdsr}/expected.json (shared/reference/rdsr next to the repository)`,
  );
if (!existsSync(FEDHUB_BIN.replace(/bin[\\/]fedhub\.js$/, 'dist/main.js')))
  throw new Error('the CLI is not built: run `npx tsc -b` first (packages/cli/dist/main.js is missing)');

const work = mkdtempSync(join(tmpdir(), 'fedhub-dose-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ExpectedStudy {
  studyInstanceUID: string;
  uniqueEvents: number;
  dlpTotal: number;
  eventUids?: string[];
  files: string[];
}
const expected = JSON.parse(readFileSync(join(rdsr, 'expected.json'), 'utf8')) as {
  studies: Record<string, ExpectedStudy>;
};

describe('fedhub dose extract', () => {
  it('gives each study the unique events and DLP total of the reference', async () => {
    const { stdout } = await run(process.execPath, [FEDHUB_BIN, 'dose', 'extract', rdsr, '--json'], {
      maxBuffer: 64 << 20,
    });
    const out = JSON.parse(stdout) as {
      studies: {
        studyInstanceUid: string;
        files: string[];
        events: {
          uid: string | null;
          dlpMGyCm: number | null;
          provenance: Record<string, { path: string }>;
        }[];
        totals: { dlpTotal: number; eventCount: number };
      }[];
      skipped: { file: string; code: string; reason: string }[];
    };
    expect(out.studies).toHaveLength(Object.keys(expected.studies).length);
    for (const [label, study] of Object.entries(expected.studies)) {
      const s = out.studies.find((x) => x.studyInstanceUid === study.studyInstanceUID);
      expect(s, label).toBeDefined();
      expect(s?.totals.eventCount, label).toBe(study.uniqueEvents);
      expect(s?.totals.dlpTotal, label).toBeCloseTo(study.dlpTotal, 6);
      expect(s?.files.map((f) => f.split(/[\\/]/).pop()).sort(), label).toEqual([...study.files].sort());
      if (study.eventUids)
        expect(
          s?.events.map((e) => e.uid),
          label,
        ).toEqual(study.eventUids);
    }
    // Every DLP value carries provenance (file and content-tree or tag path).
    for (const s of out.studies)
      for (const e of s.events) if (e.dlpMGyCm !== null) expect(e.provenance.dlpMGyCm?.path).toBeTruthy();
    expect(out.skipped.map((s) => s.file.split(/[\\/]/).pop()).sort()).toEqual([
      'README.md',
      'expected.json',
    ]);
  });
});

describe('fedhub dose report', () => {
  let result: unknown;
  let survey: { results: { exam: string; facilities: unknown[] }[] };

  beforeAll(async () => {
    // A registry where a catch-all rule maps every study to `chest`, so the adult body stratum reaches minN.
    const rules = join(work, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({ version: 1, rules: [{ exam: 'chest', field: 'any', pattern: '.' }] }),
    );
    const imported = await importDoseFolder(rdsr, join(work, 'registry'), { rules });
    const policy = { ...DisclosurePolicySchema.parse({}), minCellCount: 1, minSubsetSize: 1 };
    const stores = await Promise.all(
      ['A', 'B', 'C'].map(() => DatasetStore.open([registryDataset(imported.registry)])),
    );
    try {
      const nodes = stores.map((datasets, i) => ({
        id: `n${i}`,
        name: `Site ${'ABC'[i]}`,
        datasets,
        keys: generateNodeKeys(),
        policy,
      }));
      result = (await runLocalFederation('drl-survey', { dataset: 'ct_dose', minN: 5 }, nodes)).result;
    } finally {
      for (const s of stores) s.close();
    }
    survey = result as typeof survey;
  });

  it('--from-json renders a drl-survey result as HTML with one box plot per DRL, visible in Chromium, and CSV', async () => {
    expect(survey.results.length).toBeGreaterThan(0);
    const resultFile = join(work, 'result.json');
    writeFileSync(resultFile, JSON.stringify({ result }));
    const html = join(work, 'report.html');
    const csv = join(work, 'report.csv');
    const { stdout } = await run(process.execPath, [
      FEDHUB_BIN,
      'dose',
      'report',
      '--from-json',
      resultFile,
      '--out',
      html,
      '--csv',
      csv,
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ html, csv, results: survey.results.length });
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg\b/g)?.length).toBe(survey.results.length);
    for (const r of survey.results) expect(page).toContain(`${r.exam} —`);
    const csvLines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    expect(csvLines.length - 1).toBe(survey.results.reduce((a, r) => a + r.facilities.length, 0));

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await tab.goto(pathToFileURL(html).href);
      const svgs = tab.locator('svg');
      expect(await svgs.count()).toBe(survey.results.length);
      for (let i = 0; i < survey.results.length; i++) {
        const svg = svgs.nth(i);
        expect(await svg.isVisible()).toBe(true);
        const box = await svg.boundingBox();
        expect(box?.width).toBeGreaterThan(50);
        expect(box?.height).toBeGreaterThan(20);
      }
      const shots = join(repoRoot, 'test-output');
      mkdirSync(shots, { recursive: true });
      await tab.screenshot({ path: join(shots, 'dose-report.png'), fullPage: true });
      expect(existsSync(join(shots, 'dose-report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('--task fetches the finished task from the hub and writes the same CSV', async () => {
    const id = randomUUID();
    const now = new Date().toISOString();
    const task = {
      id,
      studyId: randomUUID(),
      collaborationId: randomUUID(),
      algorithm: 'drl-survey',
      version: '1.0.0',
      params: { dataset: 'ct_dose', minN: 5 },
      nodeIds: [],
      status: 'completed',
      round: 1,
      result,
      error: null,
      createdBy: randomUUID(),
      createdAt: now,
      finishedAt: now,
      runs: [],
    };
    const seen: { url: string; auth: string }[] = [];
    // A stand-in for the hub's task route: the SDK client only needs GET /api/tasks/:id with the bearer token.
    const hub = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization ?? '' });
      const found = req.url === `/api/tasks/${id}`;
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(found ? task : { code: 'FH_ERR_NOT_FOUND', message: 'no such task' }));
    });
    await new Promise<void>((ok) => hub.listen(0, '127.0.0.1', ok));
    const port = (hub.address() as { port: number }).port;
    try {
      const csv = join(work, 'task.csv');
      const { stdout } = await run(
        process.execPath,
        [
          FEDHUB_BIN,
          'dose',
          'report',
          '--task',
          id,
          '--hub',
          `http://127.0.0.1:${port}`,
          '--csv',
          csv,
          '--json',
        ],
        {
          env: {
            ...process.env,
            FEDHUB_TOKEN: 'fht_test',
            FEDHUB_SESSION_FILE: join(work, 'no-session.json'),
          },
        },
      );
      expect(JSON.parse(stdout)).toMatchObject({ html: null, csv, results: survey.results.length });
      expect(seen).toEqual([{ url: `/api/tasks/${id}`, auth: 'Bearer fht_test' }]);
      expect(readFileSync(csv, 'utf8')).toBe(drlSurveyCsv(result as DrlSurvey));
    } finally {
      await new Promise<void>((ok) => hub.close(() => ok()));
    }
  });

  it('refuses a result of another algorithm, naming the file', async () => {
    const other = join(work, 'other.json');
    writeFileSync(other, JSON.stringify({ algorithm: 'summary', status: 'completed', result: { n: 3 } }));
    const err = await run(process.execPath, [
      FEDHUB_BIN,
      'dose',
      'report',
      '--from-json',
      other,
      '--json',
    ]).catch((e: { stdout: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect(JSON.parse((err as { stdout: string }).stdout).error).toMatchObject({
      code: 'FH_ERR_VALIDATION',
      message: expect.stringContaining('not drl-survey'),
    });
  });
});
