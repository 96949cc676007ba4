/**
 * The radiotherapy, dose-monitoring and imaging algorithms run from their forms in headless chromium
 * against the shared REAL hub and three REAL nodes (./test-support/browser-global-setup.ts), whose nodes
 * also hold (testkit `rtPatients`): the LKB reference's differential DVH tables with outcomes (`dvh`), CT
 * dose records (`ct_dose`), and a DICOM store fed through the de-identifying intake with 12 CT patients
 * each (a GTV and an RT Dose), named by pseudonym in `imaging_cohort`. Every required parameter is given
 * through its widget (dataset, column and key pickers, the registered image model picker, lists and
 * numbers); the rendered result is checked against the task's result through the API (and the LKB fit
 * against R's), and a screenshot of each result is kept in packages/web/test-artifacts/forms-imaging/.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOnnxModel } from '@fedhub/inference/test-support';
import { formatBoundedScore, type TaskDetail } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from './charts/scale.js';
import { type BrowserHarness, startBrowserHarness } from './test-support/browser-harness.js';

const ALGORITHMS = ['drl-survey', 'lkb', 'dvh-bands', 'dvh-extract', 'radiomics-extract', 'validate-imaging'];
const STUDY_TITLE = 'Dose, DVH and imaging across three centres';
const lkbReference = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../algorithms/src/lkb/fixtures/lkb-reference.json', import.meta.url)),
    'utf8',
  ),
) as { patients: number; events: number; TD50: number; m: number; n: number };

/** mask = image > 0.5: with the window [-750, 50] HU the synthetic lesions (-20..60 HU in -750 HU) segment. */
const segmenter = buildOnnxModel({
  name: 'threshold-3d',
  inputs: [{ name: 'image', type: 'float32', shape: [1, 1, 'D', 'H', 'W'] }],
  outputs: [{ name: 'mask', type: 'uint8', shape: [1, 1, 'D', 'H', 'W'] }],
  initializers: [{ name: 't', type: 'float32', dims: [], values: [0.5] }],
  nodes: [
    { op: 'Greater', inputs: ['image', 't'], outputs: ['above'] },
    { op: 'Cast', inputs: ['above'], outputs: ['mask'], attributes: { to: { i: 2 } } },
  ],
});

let h: BrowserHarness;
let page: Page;
let api: HubClient;
let studyId: string;
const researcher = { username: 'ivan.imaging', password: 'ivan imaging password' };

/** Opens the run form of the study with `algorithm` chosen. */
async function openForm(algorithm: string): Promise<void> {
  await page.goto(`${h.url}/#/run?study=${studyId}`);
  await page.locator('#run-study').selectOption(studyId);
  await page.locator('#run-algorithm').selectOption(algorithm);
}

/** The field of parameter `name` (nested ones are `object.field`). */
const param = (name: string) => page.locator(`[id="param-${name}"]`);

/**
 * The fields of the form that take JSON: textareas and inputs whose placeholder is JSON, but for those
 * allowed to (drl-survey's extra references, radiomics' custom settings).
 */
async function jsonInputs(): Promise<number> {
  return page
    .locator('form textarea, form input[placeholder^="{"], form input[placeholder^="["]')
    .and(page.locator(':not([id="param-references"])'))
    .count();
}

/**
 * Submits the form, waits for the final status, and returns the task as the API gives it (a task still
 * running at the end of the wait fails with its runs' states).
 */
async function runAndWait(
  timeout = 120_000,
  submitted?: (taskId: string) => Promise<void>,
): Promise<TaskDetail> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByTestId('task-status');
  await status.waitFor();
  const id = new URL(page.url()).hash.split('/')[2] ?? '';
  await submitted?.(id);
  const deadline = Date.now() + timeout;
  while ((await status.textContent()) === 'running') {
    if (Date.now() > deadline) {
      const t = await api.getTask(id);
      throw new Error(
        `task ${t.algorithm} still running after ${timeout} ms: ${JSON.stringify(t.runs.map((r) => [r.status, r.error]))}`,
      );
    }
    await page.waitForTimeout(500);
  }
  const final = (await status.textContent()) ?? '';
  const why = await page.locator('[data-testid="task-error"], [data-testid="run-error"]').allTextContents();
  expect(`${final} ${why.join(' | ')}`.trim()).toBe('completed');
  return api.getTask(id);
}

describe('radiotherapy, dose and imaging forms in a browser', () => {
  beforeAll(async () => {
    h = await startBrowserHarness('forms-imaging', { outRoot: 'test-artifacts' });
    const fed = h.fed;
    const admin = await HubClient.login(fed.hubUrl, fed.admin.username, fed.admin.password);
    await admin.createUser({ ...researcher, organisationId: fed.organisationIds[0]!, roles: ['researcher'] });
    api = await HubClient.login(fed.hubUrl, researcher.username, researcher.password);
    const nodes = await api.listNodes(fed.collaborationId);
    const columnsOf = (dataset: string) =>
      nodes[0]!.datasets.find((d) => d.name === dataset)!.columns.map((c) => c.name);
    const study = await api.createStudy({
      collaborationId: fed.collaborationId,
      title: STUDY_TITLE,
      purpose: 'Dose reference levels, normal-tissue complication models and image models across centres',
      variables: ['dvh', 'ct_dose', 'imaging_cohort'].map((dataset) => ({
        dataset,
        columns: columnsOf(dataset),
      })),
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
    // the image model goes into the collaboration's ONNX registry with its card's imaging section
    await api.registerOnnxModel({
      name: 'gtv-threshold',
      version: '1.0.0',
      collaborationId: fed.collaborationId,
      onnx: segmenter,
      card: {
        intendedUse: 'GTV auto-segmentation on planning CT (test model: a threshold)',
        trainingData: 'None: a fixed threshold on the windowed image',
        inputs: [{ name: 'image', description: 'CT volume', preprocessing: 'window [-750, 50] HU to 0..1' }],
        output: { name: 'mask', meaning: 'GTV mask (1 inside)' },
        licence: 'MIT',
        imaging: {
          input: 'image',
          preprocessing: {
            spacing: [1.5, 1.5, 1.5],
            size: [24, 24, 16],
            crop: 'structure',
            intensity: { kind: 'window', center: -350, width: 800 },
          },
          output: { task: 'segmentation', output: 'mask' },
        },
      },
    });
    ({ page } = await h.signIn(researcher));
    await page.setViewportSize({ width: 1366, height: 900 });
  }, 300_000);

  afterAll(async () => {
    await h?.close();
  });

  /** Keeps a screenshot of the page as <name>.png and attaches it to the test. */
  const shot = async (annotate: (m: string, o: { path: string }) => Promise<unknown>, name: string) =>
    annotate('screenshot', { path: await h.shot(page, name) });

  it('drl-survey: the dose registry, its columns by default, survey DRLs as drawn', async ({ annotate }) => {
    // drl-survey: the registry columns keep their defaults; the minimum per stratum through its number
    await openForm('drl-survey');
    await param('dataset').selectOption('ct_dose');
    expect.soft(await param('columns.exam').inputValue()).toBe('exam');
    await param('minN').fill('20');
    expect.soft(await jsonInputs()).toBe(0);
    const drl = (await runAndWait()).result as {
      results: Array<{ exam: string; quantity: string; drl: number; unit: string }>;
    };
    const plots = page.getByTestId('drl-plot');
    expect.soft(await plots.count()).toBe(drl.results.length);
    const first = drl.results[0]!;
    expect
      .soft(await plots.first().textContent())
      .toContain(`survey DRL ${formatNumber(first.drl)} ${first.unit}`);
    await shot(annotate, '01-drl-survey');
  }, 180_000);

  it('lkb: key, dose, volume and outcome columns picked; the fit of R', async ({ annotate }) => {
    // lkb on the differential DVH tables: key, dose, volume and 0/1 outcome columns picked; R's fit
    await openForm('lkb');
    await param('dataset').selectOption('dvh');
    await param('patient').selectOption('patient');
    await param('dose').selectOption('dose');
    await param('volume').selectOption('volume');
    // only 0/1 columns are offered as the complication
    expect.soft(await param('outcome').locator('option[value="dose"]').count()).toBe(0);
    await param('outcome').selectOption('outcome');
    await param('organ').fill('Lungs');
    expect.soft(await jsonInputs()).toBe(0);
    const lkb = (await runAndWait()).result as {
      estimates: Record<'TD50' | 'm' | 'n', number>;
      patients: number;
    };
    expect.soft(lkb.patients).toBe(lkbReference.patients);
    expect.soft(Math.abs(lkb.estimates.TD50 / lkbReference.TD50 - 1)).toBeLessThan(1e-6);
    const td50Row = page.getByTestId('lkb-table').locator('tbody tr').first();
    expect.soft(await td50Row.locator('td').first().textContent()).toBe(formatNumber(lkb.estimates.TD50, 4));
    expect.soft(await page.locator('svg[data-testid="ntcp-plot"]').count()).toBe(1);
    await shot(annotate, '02-lkb');
  }, 180_000);

  it('dvh-bands: population DVH bands over the same tables', async ({ annotate }) => {
    // dvh-bands over the same tables
    await openForm('dvh-bands');
    await param('dataset').selectOption('dvh');
    await param('patient').selectOption('patient');
    await param('dose').selectOption('dose');
    await param('volume').selectOption('volume');
    await param('toGy').fill('70');
    await param('structure').fill('Lungs');
    expect.soft(await jsonInputs()).toBe(0);
    const bands = (await runAndWait()).result as {
      doseGy: number[];
      pooled: { patients: number; bands: Array<{ prob: number; value: Array<number | null> }> };
    };
    expect.soft(bands.pooled.patients).toBe(lkbReference.patients);
    const median = bands.pooled.bands.find((b) => b.prob === 0.5)!;
    const at20 = bands.doseGy.indexOf(20);
    const row20 = page
      .getByTestId('dvh-bands-table')
      .locator('tbody tr')
      .filter({ has: page.locator('th', { hasText: /^20$/ }) });
    expect.soft(await row20.locator('td').nth(2).textContent()).toContain(String(median.value[at20]));
    expect.soft(await page.locator('[data-testid="dvh-plot"]').count()).toBeGreaterThan(0);
    await shot(annotate, '03-dvh-bands');
  }, 180_000);

  it('dvh-extract: DVHs from the DICOM stores, joined to the cohort by its key', async ({ annotate }) => {
    // dvh-extract from the DICOM stores: outputs named, structures and metrics as lists, samples lowered
    await openForm('dvh-extract');
    await param('output').fill('dvh_metrics');
    await param('differentialOutput').fill('dvh_differential');
    await param('structures').fill('GTV');
    await param('metrics').fill('D95, V60Gy%');
    await param('samples').fill('100000');
    await param('join.dataset').selectOption('imaging_cohort');
    // the join key is the cohort's identifier column (a key picker)
    await param('join.column').selectOption('patient_id');
    expect.soft(await jsonInputs()).toBe(0);
    const dvh = (await runAndWait()).result as { processed: number; patients: number };
    expect.soft([dvh.processed, dvh.patients]).toEqual([36, 36]);
    expect
      .soft(await page.getByTestId('task-result').textContent())
      .toContain('DVHs computed for 36 of 36 patients');
    expect.soft(await page.getByTestId('dvh-extract-table').locator('tbody tr').count()).toBe(3);
    await shot(annotate, '04-dvh-extract');
  }, 180_000);

  it('radiomics-extract: IBSI features of the GTV', async ({ annotate }) => {
    // radiomics-extract: the ROI by name, the IBSI preset from the list, a few features
    await openForm('radiomics-extract');
    await param('roi').fill('GTV');
    expect.soft(await param('settings').inputValue()).toBe('ibsi-ct-c');
    await param('output').fill('radiomics_gtv');
    await param('features').fill('morph_volume, stat_mean');
    expect.soft(await jsonInputs()).toBe(0);
    const rad = (await runAndWait()).result as { processed: number; patients: number };
    expect.soft([rad.processed, rad.patients]).toEqual([36, 36]);
    expect
      .soft(await page.getByTestId('task-result').textContent())
      .toContain('Features extracted for 36 of 36 patients');
    await shot(annotate, '05-radiomics-extract');
  }, 180_000);

  it('validate-imaging: the registered image model picked, pooled Dice', async ({ annotate }) => {
    // validate-imaging: the registered model picked, the cohort table and its key, the reference structure
    await openForm('validate-imaging');
    const model = param('model').locator('option', { hasText: 'gtv-threshold 1.0.0' });
    await param('model').selectOption((await model.getAttribute('value')) ?? '');
    expect.soft(await page.getByTestId('onnx-model-chosen').textContent()).toContain('gtv-threshold@1.0.0');
    await param('cohort.dataset').selectOption('imaging_cohort');
    await param('cohort.patient').selectOption('patient_id');
    await param('structure').fill('GTV');
    expect.soft(await jsonInputs()).toBe(0);
    // a run that carries a model binds its approval to the model's file too: each node holds it until its
    // administrator approves (here the study, with the key enrolled at the node)
    const vi = (
      await runAndWait(180_000, async (taskId) => {
        await expect
          .poll(async () => (await api.getTask(taskId)).runs.map((r) => r.status).join(), { timeout: 60_000 })
          .toBe('pending-approval,pending-approval,pending-approval');
        for (const i of [0, 1, 2]) await h.fed.decideSigned(i, { studyId, decision: 'approve' });
      })
    ).result as {
      cases: { processed: number };
      segmentation: { dice: { mean: number } };
    };
    expect.soft(vi.cases.processed).toBe(36);
    expect.soft(vi.segmentation.dice.mean).toBeGreaterThan(0.7);
    const dice = page.getByTestId('segmentation-table').locator('tbody tr').first();
    expect
      .soft(await dice.locator('td').nth(1).textContent())
      // Dice with 3 decimals (more where it would read as 1 without being 1)
      .toBe(formatBoundedScore(vi.segmentation.dice.mean, 3));
    await shot(annotate, '06-validate-imaging');
  }, 400_000);
});
