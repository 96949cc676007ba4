/**
 * The analysis form in headless chromium against a REAL hub and three REAL nodes: every algorithm run from
 * widgets built from its parameter schema's metadata without typing JSON (bins suggested, levels picked,
 * the model to validate taken from a fitted task, a filter of conditions), edit and re-run of a failed
 * task, titles and "my tasks", and the study wizard's warnings and duplicate-title refusal.
 * Screenshots go to packages/web/test-artifacts/forms/ (gitignored) and are attached to the test.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY } from '@fedhub/testkit';
import type { TestFederation } from '@fedhub/testkit/web-federation';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHarness, startBrowserHarness } from './test-support/browser-harness.js';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(webDir, 'test-artifacts', 'forms');
const ALGORITHMS = [
  'summary',
  'ttest',
  'glm',
  'validate',
  'km',
  'quantiles',
  'crosstab',
  'chisq',
  'coxph',
  'validate-survival',
];
const STUDY_TITLE = 'Toxicity and survival after radiotherapy';

let h: BrowserHarness;
/** A researcher of this file's own: "my tasks" counts every task of the signed-in researcher. */
const researcher = { username: 'fiona.forms', password: 'fiona forms password' };
let fed: TestFederation;
let front: { url: string };
let browser: Browser;
let page: Page;
let studyId: string;
const shots: string[] = [];

async function shot(name: string): Promise<void> {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

/** Opens the run form of the study with `algorithm` and dataset cohort chosen. */
async function openForm(algorithm: string): Promise<void> {
  await page.goto(`${front.url}/#/run?study=${studyId}`);
  await page.locator('#run-study').selectOption(studyId);
  await page.locator('#run-algorithm').selectOption(algorithm);
  await page.locator('#param-dataset').selectOption('cohort');
}

/** The form has no JSON to type: no textarea, and no input whose placeholder is JSON. */
async function jsonInputs(): Promise<number> {
  return page.locator('form textarea, form input[placeholder^="{"], form input[placeholder^="["]').count();
}

/** Submits the form and waits for the task's final status ("completed" or the status with its reasons). */
async function runAndWait(): Promise<string> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByTestId('task-status');
  await status.waitFor();
  await expect.poll(async () => status.textContent(), { timeout: 90_000 }).not.toBe('running');
  const final = (await status.textContent()) ?? '';
  if (final === 'completed') return final;
  const why = await page.locator('[data-testid="task-error"], [data-testid="run-error"]').allTextContents();
  return `${final}: ${why.join(' | ')}`;
}

const taskIdOfPage = () => new URL(page.url()).hash.split('/')[2] ?? '';

describe('analysis forms in a browser', () => {
  beforeAll(async () => {
    // the shared federation, front and chromium of the browser project (test-support/browser-global-setup.ts)
    h = await startBrowserHarness('forms', { outRoot: 'test-artifacts' });
    fed = h.fed;
    front = { url: h.url };
    const admin = await HubClient.login(fed.hubUrl, fed.admin.username, fed.admin.password);
    await admin.createUser({ ...researcher, organisationId: fed.organisationIds[0]!, roles: ['researcher'] });
    // the study through the API (the wizard has its own test below); every node approves its algorithm
    // versions in advance with the enrolled administrator key
    const api = await HubClient.login(fed.hubUrl, researcher.username, researcher.password);
    const collab = (await api.listCollaborations()).find((c) => c.name === fed.collaborationName)!;
    const study = await api.createStudy({
      collaborationId: collab.id,
      title: STUDY_TITLE,
      purpose: 'Dose-toxicity and survival across three centres',
      variables: [
        { dataset: 'cohort', columns: COHORT_DICTIONARY.filter((c) => !c.identifier).map((c) => c.name) },
      ],
      algorithms: ALGORITHMS.map((name) => ({ name })),
    });
    studyId = study.id;
    const versions = new Map((await api.listAlgorithms()).map((a) => [a.name, a.version]));
    for (const i of [0, 1, 2])
      for (const algorithm of ALGORITHMS)
        await fed.decideSigned(i, {
          studyId,
          decision: 'approve',
          algorithm,
          version: versions.get(algorithm)!,
        });
    browser = h.browser;
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(front.url);
    await page.getByLabel('Username').fill(researcher.username);
    await page.getByLabel('Password').fill(researcher.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
  }, 420_000);

  afterAll(async () => {
    await h?.close();
  });

  it('runs every algorithm from widgets, without typing JSON', async ({ annotate }) => {
    // a first summary without histograms releases n, mean and sd; then the histogram bins are suggested
    // from them and the dictionary's range and resolution, sparse tails merged, with a preview
    await openForm('summary');
    await page.locator('input[name="columns"][value="age"]').check();
    await page.locator('input[name="columns"][value="dose_gy"]').check();
    expect(await runAndWait()).toBe('completed');
    await openForm('summary');
    await page.locator('input[name="columns"][value="age"]').check();
    // only numeric columns are offered (summary describes numbers)
    expect(await page.locator('input[name="columns"][value="sex"]').count()).toBe(0);
    await page.locator('input[name="columns"][value="dose_gy"]').check();
    await page.getByTestId('bins-age').getByRole('button', { name: 'Suggest bins' }).click();
    expect(await page.locator('#param-bins-age-breaks').inputValue()).toMatch(/^18, .*, 100$/);
    expect(await page.getByTestId('bins-preview-age').textContent()).toMatch(/^\d+ bins \(years\): \[18, /);
    expect(await page.getByTestId('bins-age').textContent()).toContain('from the earlier summary');
    expect(await jsonInputs()).toBe(0);
    await shot('01-summary-bins');
    expect(await runAndWait()).toBe('completed');
    expect(await page.locator('svg[data-testid="histogram"] rect').count()).toBeGreaterThan(3);
    expect(await page.getByTestId('task-heading').textContent()).toBe(
      'summary: age, dose_gy; histograms of age',
    );
    await shot('02-summary-result');

    // t-test: the two groups are picked from the declared levels of the grouping column
    await openForm('ttest');
    await page.locator('#param-column').selectOption('dose_gy');
    // only columns with declared levels are offered as groups
    expect(await page.locator('#param-group option[value="age"]').count()).toBe(0);
    await page.locator('#param-group').selectOption('stage');
    await page.locator('#param-levels-0').selectOption('I');
    await page.locator('#param-levels-1').selectOption('III');
    expect(await jsonInputs()).toBe(0);
    expect(await runAndWait()).toBe('completed');
    expect(await page.getByTestId('ttest-table').textContent()).toContain('III');

    // glm: column completion in the formula, a chip for a factor, the reference level from the dictionary,
    // and a title
    await openForm('glm');
    await page.locator('#param-formula').fill('toxicity ~ dose');
    await page.locator('#param-formula').press('Tab');
    expect(await page.locator('#param-formula').inputValue()).toBe('toxicity ~ dose_gy');
    await page
      .getByRole('group', { name: /Columns/ })
      .getByRole('button', { name: 'stage', exact: true })
      .click();
    expect(await page.locator('#param-formula').inputValue()).toBe('toxicity ~ dose_gy + factor(stage)');
    await page.locator('#param-family').selectOption('binomial');
    await page.locator('#param-ref-stage').selectOption('II');
    await page.locator('#run-title').fill('Toxicity by dose, stage II as reference');
    expect(await jsonInputs()).toBe(0);
    await shot('03-glm-form');
    expect(await runAndWait()).toBe('completed');
    expect(await page.getByTestId('task-heading').textContent()).toBe(
      'Toxicity by dose, stage II as reference',
    );
    const terms = await page.locator('[data-testid="glm-table"] tbody th').allTextContents();
    // stage II is the reference: stage I gets a coefficient, stage II none
    expect(terms.some((t) => /stage\)?I$/.test(t))).toBe(true);
    expect(terms.some((t) => /stage\)?II$/.test(t))).toBe(false);

    // validate this model: from a fitted logistic glm's page, the model widget holds its coefficients
    await openForm('glm');
    await page.locator('#param-formula').fill('toxicity ~ dose_gy + age');
    await page.locator('#param-family').selectOption('binomial');
    expect(await runAndWait()).toBe('completed');
    await page.getByTestId('validate-model').click();
    // the fitted task, the registries and the study's nodes load first
    await expect
      .poll(() => page.locator('#run-algorithm').inputValue(), { timeout: 20_000 })
      .toBe('validate');
    await page.getByTestId('param-model-coefficients').waitFor();
    expect(await page.getByTestId('param-model-coefficients').textContent()).toContain('~ dose_gy + age');
    await page.locator('#param-outcome').selectOption('toxicity');
    expect(await jsonInputs()).toBe(0);
    await shot('04-validate-form');
    // the synthetic centres (400 patients, few events) may not pass validate's disclosure gate: the form's
    // part is the task it submits, with the frozen model; the nodes' refusal is coded and names no data
    const validated = await runAndWait();
    expect(validated).toMatch(/^(completed|failed: FH_ERR_SMALL_CELL)/);
    expect(await page.getByTestId('task-summary').textContent()).toContain('model ~ dose_gy + age');

    // km with a filter built from conditions
    await openForm('km');
    await page.locator('#param-time').selectOption('months');
    // only 0/1 columns are offered as the event
    expect(await page.locator('#param-event option[value="months"]').count()).toBe(0);
    await page.locator('#param-event').selectOption('dead');
    await page.locator('#param-group').selectOption('stage');
    await page.getByRole('button', { name: 'Add a condition' }).click();
    // (a cut through a numeric column would be refused as differencing against the earlier releases)
    await page.locator('#param-filter-0-column').selectOption('sex');
    await page.locator('#param-filter-0-op').selectOption('eq');
    // a column with declared levels gets a level picker
    await page.locator('#param-filter-0-value').selectOption('F');
    expect(await jsonInputs()).toBe(0);
    expect(await runAndWait()).toBe('completed');
    expect((await page.getByTestId('task-summary').textContent()) ?? '').toContain('sex = F');

    await openForm('quantiles');
    await page.locator('#param-column').selectOption('age');
    await page.locator('#param-probs').fill('0.25, 0.5, 0.75');
    expect(await runAndWait()).toBe('completed');
    expect(await page.locator('[data-testid="quantiles-table"] tbody tr').count()).toBe(3);

    for (const algorithm of ['crosstab', 'chisq']) {
      await openForm(algorithm);
      await page.locator('#param-rows').selectOption('stage');
      await page.locator('#param-cols').selectOption('sex');
      expect(await jsonInputs()).toBe(0);
      expect(await runAndWait()).toBe('completed');
    }

    await openForm('coxph');
    await page.locator('#param-formula').fill('Surv(months, dead) ~ age + dose_gy');
    expect(await runAndWait()).toBe('completed');
    const coxTask = taskIdOfPage();

    // validate-survival: the Cox model picked among the models fitted in this study
    await openForm('validate-survival');
    await page.locator('#param-model').selectOption(`task:${coxTask}`);
    expect(await page.getByTestId('param-model-coefficients').textContent()).toContain('Surv(months, dead)');
    expect(await jsonInputs()).toBe(0);
    await shot('05-validate-survival-form');
    expect(await runAndWait()).toMatch(/^(completed|failed: FH_ERR_SMALL_CELL)/);
    expect(await page.getByTestId('task-summary').textContent()).toContain(
      'model Surv(months, dead) ~ age + dose_gy',
    );
    for (const path of shots) await annotate('screenshot', { path });
  }, 600_000);

  it('edits and re-runs a failed task with its parameters', async () => {
    await openForm('summary');
    await page.locator('input[name="columns"][value="age"]').check();
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.locator('#param-filter-0-column').selectOption('age');
    await page.locator('#param-filter-0-op').selectOption('gt');
    await page.locator('#param-filter-0-value').fill('99.5');
    expect(await runAndWait()).toMatch(/^failed.*FH_ERR_SMALL_SUBSET/);
    const failed = taskIdOfPage();
    await page.getByTestId('edit-rerun').click();
    await page.getByTestId('rerun-of').waitFor();
    // the form comes back with the failed task's study, algorithm and parameters
    await expect.poll(() => page.locator('#param-filter-0-value').inputValue()).toBe('99.5');
    expect(await page.locator('#run-algorithm').inputValue()).toBe('summary');
    // the dataset's options come with the study's nodes, which may load after the parameters
    await expect.poll(() => page.locator('#param-dataset').inputValue()).toBe('cohort');
    expect(await page.locator('input[name="columns"][value="age"]').isChecked()).toBe(true);
    expect(await page.locator('#param-filter-0-op').inputValue()).toBe('gt');
    await shot('06-edit-and-rerun');
    // without the condition this time
    await page.getByRole('button', { name: 'remove condition 1' }).click();
    expect(await runAndWait()).toBe('completed');
    expect(taskIdOfPage()).not.toBe(failed);
  }, 420_000);

  it('tells tasks apart: titles, parameters, filter and submitter in the lists and my tasks', async () => {
    await page.goto(`${front.url}/#/my-tasks`);
    const rows = page.getByTestId('task-row');
    await expect.poll(() => rows.count()).toBe(14);
    const titles = await page.getByTestId('task-title').allTextContents();
    expect(new Set(titles).size).toBe(titles.length - 1); // crosstab and chisq differ by name; two re-runs alike
    expect(titles).toContain('Toxicity by dose, stage II as reference');
    expect(titles).toContain('km: Surv(months, dead); by stage');
    expect(await page.getByTestId('task-submitter').first().textContent()).toBe(researcher.username);
    expect((await page.getByTestId('task-data').allTextContents()).some((t) => t.includes('sex = F'))).toBe(
      true,
    );
    await shot('07-my-tasks');
    await page.goto(`${front.url}/#/studies/${studyId}`);
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(14);
    expect(await page.getByRole('link', { name: 'Edit and re-run' }).count()).toBe(14);
  }, 60_000);

  it('the study wizard warns below the node floor, reviews the period, and refuses a duplicate title', async () => {
    await page.goto(`${front.url}/#/studies/new`);
    await page.getByLabel('Collaboration').selectOption({ label: fed.collaborationName });
    await page.getByLabel('Title').fill(STUDY_TITLE.toUpperCase());
    await page.getByLabel('Purpose', { exact: true }).fill('The same question again');
    await page.getByRole('button', { name: 'Next' }).click();
    const dup = page.locator('#study-title-error');
    await dup.waitFor();
    expect(await dup.textContent()).toMatch(/already titled/);
    await page.getByLabel('Title').fill('Toxicity in two centres');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Lawful basis, Art. 6(1)').selectOption('art6-1e-public-interest');
    await page.getByLabel('Condition for health data, Art. 9(2)').selectOption('art9-2j-research');
    await page.getByLabel('Ethics approval reference').fill('EC-2026-115');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.locator('input[name="nodes"]:checked').count()).toBe(3);
    await page.locator('input[name="nodes"]').nth(2).uncheck();
    await page.locator('input[name="variables-cohort"][value="age"]').check();
    await page.locator('input[name="algorithms"][value="summary"]').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Start date').fill('2026-01-01');
    await page.getByLabel('End date').fill('2030-12-31');
    await page.getByLabel('Minimum number of nodes per analysis').fill('1');
    const warnings = page.getByTestId('study-warnings');
    await warnings.waitFor();
    expect(await warnings.textContent()).toMatch(/Minimum nodes 1 is below the node floor of 3/);
    expect(await warnings.textContent()).toMatch(/Only 2 node\(s\) take part/);
    expect(await page.getByTestId('review-period').textContent()).toBe('2026-01-01 to 2030-12-31');
    expect(await page.getByTestId('review-min-nodes').textContent()).toBe(
      '1 of 2 (below the node floor of 3)',
    );
    expect(await page.getByTestId('review-breakdowns').textContent()).toMatch(/^not released/);
    await shot('08-wizard-review-warnings');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.getByTestId('study-title').waitFor();
    expect(await page.getByTestId('study-title').textContent()).toBe('Toxicity in two centres');
    // the hub refuses the duplicate too, with a coded error
    const api = await HubClient.login(fed.hubUrl, researcher.username, researcher.password);
    const collab = (await api.listCollaborations()).find((c) => c.name === fed.collaborationName)!;
    await expect(
      api.createStudy({ collaborationId: collab.id, title: ' toxicity in TWO centres', purpose: 'again' }),
    ).rejects.toMatchObject({ code: 'FH_ERR_ALREADY_EXISTS' });
  }, 120_000);
});
