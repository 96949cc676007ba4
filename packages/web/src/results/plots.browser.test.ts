/**
 * Every plot of the dashboard drawn from a REAL federation result (a hub and three nodes on loopback, the
 * demo cohorts), in headless chromium: forest plots with covering ticks, the OR/CI column and reference
 * levels, KM curves with censoring marks and a legend title, histograms, the crosstab with percentages and
 * its chart, each chart as wide as the page. Screenshots go to packages/web/test-output/plots/ (gitignored)
 * and are attached to the test.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import type { TestFederation } from '@fedhub/testkit/web-federation';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlaps } from '../charts/label-layout.js';
import { type BrowserHarness, startBrowserHarness } from '../test-support/browser-harness.js';

const webDir = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(webDir, 'test-output', 'plots');

let h: BrowserHarness;
let fed: TestFederation;
let front: { url: string };
let browser: Browser;
let page: Page;
let client: HubClient;
let studyId: string;
const shots: string[] = [];

async function shot(name: string): Promise<void> {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

/** Runs a task through the hub as the researcher and opens its page in the browser. */
async function openResult(algorithm: string, params: Json): Promise<void> {
  const task = await client.createTask({ studyId, algorithm, params });
  const done = await client.waitForTask(task.id, { timeoutMs: 120_000 });
  expect(done.status, JSON.stringify(done.runs.map((r) => r.error ?? r.status))).toBe('completed');
  await page.goto(`${front.url}/#/tasks/${task.id}`);
  await page.getByTestId('task-status').waitFor();
  await expect
    .poll(() => page.getByTestId('task-status').textContent(), { timeout: 20_000 })
    .toBe('completed');
}

/** Horizontal positions of the given elements' bounding boxes, for overlap checks. */
async function boxes(selector: string) {
  return page.locator(selector).evaluateAll((els) =>
    els.map((e) => {
      const b = (e as SVGGraphicsElement).getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height, text: e.textContent ?? '' };
    }),
  );
}

describe('plots in a browser, from real federation results', () => {
  beforeAll(async () => {
    // the shared federation, front and chromium of the browser project (test-support/browser-global-setup.ts)
    h = await startBrowserHarness('plots');
    fed = h.fed;
    front = { url: h.url };
    client = await HubClient.login(fed.hubUrl, fed.researcher.username, fed.researcher.password);
    const collab = (await client.listCollaborations()).find((c) => c.name === fed.collaborationName);
    const study = await client.createStudy({
      collaborationId: collab!.id,
      title: 'Plots of a radiotherapy cohort',
      purpose: 'Dose response and survival, pooled over three centres, to check the figures',
      legalBasis: ['art6-1e-public-interest', 'art9-2j-research'],
      ethicsApprovalRef: 'EC-2026-200',
      releasePerNodeBreakdown: true,
    } as Parameters<HubClient['createStudy']>[0]);
    studyId = study.id;
    // the shared nodes ask their admins: this test is about what results look like, so every node
    // approves every algorithm version for this study in advance, with the enrolled administrator key
    for (const a of await client.listAlgorithms())
      for (const i of fed.nodeIds.keys())
        await fed.decideSigned(i, { studyId, decision: 'approve', algorithm: a.name, version: a.version });
    browser = h.browser;
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(front.url);
    await page.getByLabel('Username').fill(fed.researcher.username);
    await page.getByLabel('Password').fill(fed.researcher.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
  }, 240_000);

  afterAll(async () => {
    await h?.close();
  });

  it('draws forest, KM, histogram and crosstab figures that read right', async ({ annotate }) => {
    // logistic GLM with a factor: OR/CI column, the reference level, ticks covering every CI
    await openResult('glm', {
      dataset: 'cohort',
      formula: 'toxicity ~ dose_gy + sex + factor(stage)',
      family: 'binomial',
      perCentre: true,
    });
    const forest = page.locator('svg[data-testid="forest-plot"]').first();
    await forest.waitFor();
    expect(await forest.locator('[data-testid="forest-row-reference"]').count()).toBe(2);
    const refText = await forest.locator('[data-testid="forest-row-reference"]').allTextContents();
    expect(refText.join(' ')).toMatch(/sex: F.*reference/);
    const texts = await forest.locator('[data-testid="forest-text"]').allTextContents();
    for (const t of texts) expect(t).toMatch(/^(reference|\d+(\.\d+)? \(\d+(\.\d+)? to \d+(\.\d+)?\))$/);
    expect(texts.join(' ')).not.toMatch(/e[+-]\d/);
    // every CI end lies within the outermost ticks
    const span = await forest.evaluate((svg) => {
      const ticks = [...svg.querySelectorAll('.axis g')].map((g) => g.getBoundingClientRect().x);
      const ends = [...svg.querySelectorAll('[data-testid="forest-row"] line')].flatMap((l) => {
        const b = l.getBoundingClientRect();
        return [b.x, b.x + b.width];
      });
      return {
        lo: Math.min(...ticks),
        hi: Math.max(...ticks),
        min: Math.min(...ends),
        max: Math.max(...ends),
      };
    });
    expect(span.min).toBeGreaterThanOrEqual(span.lo - 1);
    expect(span.max).toBeLessThanOrEqual(span.hi + 1);
    // the figure takes the page's width, not a fixed 640 px
    const width = await forest.evaluate((svg) => svg.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(700);
    await shot('01-glm-forest');

    // Kaplan–Meier by sex: censoring marks, a legend title, the number at risk
    await openResult('km', { dataset: 'cohort', time: 'months', event: 'dead', group: 'sex' });
    const km = page.locator('svg[data-testid="km-plot"]');
    await km.waitFor();
    expect(await km.locator('[data-testid="km-curve"]').count()).toBe(2);
    expect(await km.getByTestId('km-legend-title').textContent()).toBe('sex');
    expect(await km.locator('[data-testid="km-censor-mark"]').count()).toBeGreaterThan(0);
    await shot('02-km');

    // Cox: hazard ratios in the text column
    await openResult('coxph', { dataset: 'cohort', formula: 'Surv(months, dead) ~ age + sex' });
    const cox = page.locator('svg[data-testid="forest-plot"]');
    await cox.waitFor();
    expect(await cox.textContent()).toContain('HR (95% CI)');
    await shot('03-cox-forest');

    // summary with histograms: counts on the y axis
    await openResult('summary', {
      dataset: 'cohort',
      columns: ['age', 'dose_gy'],
      bins: { age: { breaks: [18, 50, 57, 64, 71, 78, 100.5] } },
    });
    const hist = page.locator('svg[data-testid="histogram"]');
    await hist.first().waitFor();
    // both axes in units: the x axis in the unit the dictionary declares, the y axis a count of records,
    // and each bar labelled with its released count
    const ageHist = hist.first();
    await expect.poll(() => ageHist.locator('.axis text').allTextContents()).toContain('age (years)');
    // age's bins differ in width, so bar areas, not heights, are counts: records per year (equal bins
    // read "count (records)": result-view.test.ts)
    expect(await ageHist.locator('.axis text').allTextContents()).toContain('count per year (records)');
    const counts = (await ageHist.getByTestId('histogram-count').allTextContents()).map(Number);
    expect(counts).toHaveLength(6);
    const summaryN = Number(
      await page
        .locator('[data-testid="summary-table"] tbody tr')
        .first()
        .locator('td')
        .first()
        .textContent(),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(summaryN);
    await shot('04-histogram');

    // validate a frozen score per centre (the study allows per-node breakdowns): an ROC curve and a
    // calibration curve per centre and pooled, each with its pointwise CI band
    await openResult('validate', {
      dataset: 'cohort',
      outcome: 'toxicity',
      model: { formula: '~ dose_gy', coefficients: { '(Intercept)': -3, dose_gy: 0.04 } },
    } as Json);
    const roc = page.locator('svg[data-testid="roc-plot"]');
    await roc.waitFor();
    expect(await roc.locator('[data-testid="roc-curve"]').count()).toBe(4);
    expect(await roc.locator('[data-testid="roc-band"]').count()).toBe(4);
    expect(await roc.getByTestId('validation-legend').textContent()).toContain('pooled');
    const cal = page.locator('svg[data-testid="calibration-plot"]');
    expect(await cal.locator('[data-testid="calibration-band"]').count()).toBe(4);
    expect(await cal.locator('[data-testid="calibration-ci"]').count()).toBeGreaterThan(8);
    expect(await roc.evaluate((svg) => svg.getBoundingClientRect().width)).toBeGreaterThan(500);
    // every legend line (AUC with its CI, slope and CITL) ends inside its figure
    for (const fig of [roc, cal]) {
      const overflow = await fig.evaluate((svg) => {
        const right = svg.getBoundingClientRect().right;
        return [...svg.querySelectorAll('[data-testid="validation-legend"] text')]
          .map((t) => t.getBoundingClientRect().right - right)
          .filter((d) => d > 0.5);
      });
      expect(overflow).toEqual([]);
    }
    await shot('04b-validate-per-centre');

    // crosstab: row percentages in the table, a stacked chart, the CSV download
    await openResult('crosstab', { dataset: 'cohort', rows: 'sex', cols: 'stage' });
    await page.getByTestId('crosstab-table').waitFor();
    await page.getByTestId('crosstab-scale').selectOption('row');
    expect(await page.getByTestId('crosstab-table').textContent()).toMatch(/\d+ \(\d+\.\d%\)/);
    const chart = page.locator('svg[data-testid="crosstab-chart"]');
    expect(await chart.locator('rect').count()).toBeGreaterThan(4);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download table (CSV)' }).click();
    expect((await download).suggestedFilename()).toBe('crosstab-sex-stage.csv');
    await shot('05-crosstab');

    // no two axis labels of any chart on the page overlap
    const labels = await boxes('svg.chart .axis text');
    const rows = new Map<number, number[]>();
    for (const b of labels) rows.set(Math.round(b.y), [...(rows.get(Math.round(b.y)) ?? []), b.x + b.w / 2]);
    for (const xs of rows.values()) expect(overlaps(xs, 8)).toBe(false);

    for (const path of shots) await annotate(`screenshot ${path}`, { path });
    console.log(`plot screenshots:\n${shots.join('\n')}`);
  }, 300_000);
});
