/**
 * ONNX models in headless chromium against a real hub (issue 18): the register form refuses an empty card
 * field by field without sending it, shows the hub's refusal of a custom-domain operator in words, then
 * registers a small logistic model (built with the inference package's test builder) read as bytes in the
 * browser, lands on its page with card and signature, opens "Validate this model" (the run form on validate
 * with the model picked and its input mapped), and sees it listed with its signature and digest.
 * Screenshots in packages/web/test-output/onnx-models/.
 */
import { createHash } from 'node:crypto';
import { buildOnnxModel, logisticRegressionModel } from '@fedhub/inference/test-support';
import { HubClient } from '@fedhub/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHarness, startBrowserHarness } from '../test-support/browser-harness.js';

let h: BrowserHarness;

async function fillCard(page: Page, input: string, output: string) {
  await page
    .getByLabel('Intended use', { exact: true })
    .fill('Adults after prostate radiotherapy: grade >= 2 rectal toxicity');
  await page
    .getByLabel('Training data', { exact: true })
    .fill('Centre A, 2015-2020, 812 patients, 14% events');
  await page.getByLabel('Input 1 name (as in the graph)', { exact: true }).fill(input);
  await page.getByLabel('Input 1 description', { exact: true }).fill('age and mean rectal dose');
  await page.getByLabel('Input 1 preprocessing', { exact: true }).fill('years; Gy, unscaled');
  await page.getByLabel('Input 1 columns', { exact: true }).fill('age, dose_mean');
  await page.getByLabel('Output name (as in the graph)', { exact: true }).fill(output);
  await page
    .getByLabel('Output meaning', { exact: true })
    .fill('predicted probability of grade >= 2 toxicity');
  await page.getByLabel('Licence', { exact: true }).fill('CC-BY-4.0');
}

async function chooseFile(page: Page, name: string, bytes: Uint8Array) {
  await page
    .getByLabel('ONNX file', { exact: true })
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

describe('ONNX models in a browser', () => {
  beforeAll(async () => {
    // a collaboration of its own: the test expects its model list empty at first
    h = await startBrowserHarness('onnx-models', { ownCollaboration: 1 });
  }, 240_000);
  afterAll(async () => {
    await h?.close();
  });

  it('registers a logistic ONNX model through the form and lists it with its signature', {
    timeout: 180_000,
  }, async () => {
    const { page, context } = await h.signIn(h.fed.researcher);
    await page.getByRole('link', { name: 'ONNX models', exact: true }).click();
    await page.getByRole('heading', { name: 'ONNX models', exact: true }).waitFor();
    // the list loads after the heading: wait for its empty state rather than count at once
    const empty = page.getByText('No ONNX model is registered in your collaborations yet.');
    await empty.waitFor();
    expect(await empty.count()).toBe(1);
    await page.getByRole('link', { name: 'Register an ONNX model' }).click();

    // an empty card is refused field by field, before anything is sent
    await page.getByLabel('Intended use', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect.poll(() => page.getByTestId('onnx-register-error').textContent()).toMatch(/Please correct/);
    for (const id of ['onnx-file', 'onnx-name', 'card-intendedUse', 'card-inputs-0-name', 'card-licence'])
      expect(await page.locator(`#${id}`).getAttribute('aria-invalid'), id).toBe('true');
    await h.shot(page, 'register-empty');

    // a custom-domain operator: the hub's coded refusal, in words
    const custom = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 2] }],
      outputs: [{ name: 'p', type: 'float32', shape: ['N', 2] }],
      nodes: [{ op: 'Gelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['p'] }],
    });
    await chooseFile(page, 'custom.onnx', custom);
    await page.getByLabel('Name', { exact: true }).fill('tox-net');
    await page.getByLabel('Version', { exact: true }).fill('1.0.0');
    await fillCard(page, 'x', 'p');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const error = page.getByTestId('onnx-register-error');
    await expect
      .poll(() => error.textContent(), { timeout: 30_000 })
      .toMatch(
        /^The model uses an operator or operator domain the hub does not run.*\(FH_ERR_MODEL_UNSUPPORTED_OP\)$/,
      );
    await h.shot(page, 'register-unsupported-op');

    // the logistic model: registered, its page shows the card and the signature read from the graph
    const logistic = logisticRegressionModel({ coefficients: [0.03, 0.05], intercept: -4 });
    await chooseFile(page, 'tox-net.onnx', logistic);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByRole('heading', { name: 'ONNX model: tox-net 1.0.0' }).waitFor({ timeout: 30_000 });
    const detail = page.getByTestId('onnx-signature-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('inputx float32 [N, 2]');
    expect(await detail.textContent()).toContain('outputp float32 [N, 1]');
    const sha = createHash('sha256').update(logistic).digest('hex');
    expect(await page.locator('main').textContent()).toContain(sha);
    expect(await page.getByTestId('onnx-card').textContent()).toContain(
      'predicted probability of grade >= 2 toxicity',
    );
    await page.getByText('No validation attached yet.').waitFor();
    await h.shot(page, 'model-page');

    // "Validate this model": the run form opens on validate in a study of the model's collaboration, the
    // registered model picked and its input mapped to the columns the card suggests
    const rita = await HubClient.login(h.fed.hubUrl, h.fed.researcher.username, h.fed.researcher.password);
    const stored = await rita.getOnnxModel('tox-net', '1.0.0');
    const study = await rita.createStudy({
      collaborationId: stored.collaborationId,
      title: 'Rectal toxicity model validation (onnx-models browser test)',
      purpose: 'External validation of tox-net',
    });
    await page.reload();
    await page.getByTestId('validate-this-onnx-model').click();
    await page.getByRole('heading', { name: 'Run an analysis' }).waitFor();
    await expect.poll(() => page.locator('#run-algorithm').inputValue()).toBe('validate');
    expect(await page.locator('#run-study').inputValue()).toBe(study.id);
    await expect
      .poll(() => page.getByLabel('ONNX model', { exact: true }).inputValue())
      .toBe('tox-net@1.0.0');
    expect(await page.getByRole('radio', { name: 'a registered ONNX model' }).isChecked()).toBe(true);
    const inputs = page.locator('[data-testid$="-onnx-inputs"]');
    expect(await inputs.getByLabel('x', { exact: true }).inputValue()).toBe('age, dose_mean');
    expect(await inputs.textContent()).toContain('2 column(s), 2 named');
    expect(await inputs.textContent()).toContain('output p');
    await h.shot(page, 'validate-this-model');
    await page.goBack();
    await page.getByRole('heading', { name: 'ONNX model: tox-net 1.0.0' }).waitFor();

    // the list: name, version, digest prefix, signature, registered by you
    await page.getByRole('link', { name: 'All ONNX models' }).click();
    const row = page.getByTestId('onnx-models').locator('tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([
      'tox-net',
      '1.0.0',
      sha.slice(0, 12),
      'x float32 [N, 2] → p float32 [N, 1]',
    ]);
    expect(cells[5]).toMatch(/^you, /);
    await h.shot(page, 'list');

    // what the hub stored is the file the browser read
    expect(stored.sha256).toBe(sha);
    expect(stored.card.inputs[0]?.columns).toEqual(['age', 'dose_mean']);
    await context.close();
  });
});
