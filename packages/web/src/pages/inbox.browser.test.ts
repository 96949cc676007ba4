/**
 * The node admin's inbox in headless chromium against a real hub and three real nodes (manual approval):
 * pending requests first with their count, a card that leaves at once after a decision (and comes back
 * when the node rejects an unsigned one), a whole-study deny that asks for confirmation and says its scope,
 * the study's state at the node shown as the node applied it, and the deny lifted. Decisions the node
 * honours are signed with the administrator key enrolled at the node (`fedhub node admins decide`);
 * screenshots in packages/web/test-output/inbox/.
 */
import { HubClient } from '@fedhub/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHarness, startBrowserHarness } from '../test-support/browser-harness.js';

let h: BrowserHarness;
let rita: HubClient;
let studyId: string;

const runAt = async (taskId: string, nodeName: string) =>
  (await rita.getTask(taskId)).runs.find((r) => r.nodeName === nodeName)?.status;

async function openInbox(page: Page) {
  await page.getByRole('link', { name: 'Approvals inbox' }).click();
  await page.getByTestId('inbox-node').waitFor();
}

describe('approvals inbox in a browser', () => {
  beforeAll(async () => {
    // a federation of its own: the inbox counts every request pending at the node, and its decisions
    // and the node's state must see nothing of other files (the shared build and chromium still)
    h = await startBrowserHarness('inbox', { ownFederation: true });
    rita = await HubClient.login(h.fed.hubUrl, h.fed.researcher.username, h.fed.researcher.password);
    const study = await rita.createStudy({
      collaborationId: h.fed.collaborationId,
      title: 'Toxicity after prostate radiotherapy',
      purpose: 'which doses predict grade 2 toxicity',
      minNodes: 1,
    });
    studyId = study.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists pending requests first with a count; a decided card leaves at once', {
    timeout: 180_000,
  }, async () => {
    const task = await rita.createTask({
      studyId,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] } as never,
    });
    const { page, context } = await h.signIn(h.fed.nodeAdmins[0]!);
    await openInbox(page);
    const count = page.getByTestId('pending-count');
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe('Waiting for your decision (1)');
    // the node's approval mode, as the node reports it
    await expect.poll(() => page.getByTestId('approval-mode').textContent()).toContain('manual');
    expect(await page.getByTestId('approval-policy').textContent()).toContain('(1 enrolled)');
    // the pending requests come before the studies
    const order = await page.evaluate(() => {
      const pending = document.querySelector('[data-testid="pending-approval"]');
      const study = document.querySelector('[data-testid="study-at-node"]');
      return pending && study ? pending.compareDocumentPosition(study) : 0;
    });
    expect(order & 4).toBe(4); // DOCUMENT_POSITION_FOLLOWING: the study card comes after
    await expect.poll(() => page.getByTestId('pending-requester').textContent()).toContain('rita.researcher');
    await h.shot(page, 'inbox-pending');

    // an approval from the dashboard: the card leaves at once...
    await page.getByRole('button', { name: /^Approve summary/ }).click();
    await expect.poll(() => count.textContent(), { timeout: 3_000 }).toBe('Waiting for your decision (0)');
    // ...and, since the dashboard cannot sign, the node rejects it and the runs still wait: it comes back
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe('Waiting for your decision (1)');
    await page.locator('summary', { hasText: 'Decisions recorded' }).click();
    await expect
      .poll(() => page.getByTestId('decided-approvals').textContent())
      .toContain('rejected by the node');
    await h.shot(page, 'inbox-rejected-unsigned');

    // signed with the administrator's enrolled key, the node applies it and the run goes ahead
    await h.fed.decideSigned(0, { studyId, decision: 'approve', algorithm: 'summary' });
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe('Waiting for your decision (0)');
    await expect.poll(() => runAt(task.id, h.fed.nodeNames[0]!), { timeout: 30_000 }).toBe('completed');
    await context.close();
  });

  it('denies the whole study after confirmation, shows it truthfully, and lifts it', {
    timeout: 180_000,
  }, async () => {
    const { page, context } = await h.signIn(h.fed.nodeAdmins[0]!);
    await openInbox(page);
    const card = page
      .getByTestId('study-at-node')
      .filter({ hasText: 'Toxicity after prostate radiotherapy' });
    const state = card.getByTestId('study-node-state');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 30_000 }).toBe('open');
    const summaryRow = card
      .getByTestId('study-algorithm-row')
      .filter({ has: page.getByRole('rowheader', { name: 'summary', exact: true }) });
    await expect.poll(() => summaryRow.textContent()).toContain('approvedapplied at the node');

    // deny needs a reason and a confirmation that says it covers the whole study
    await card.getByTestId('deny').click();
    await expect.poll(() => card.getByRole('alert').textContent()).toContain('Give a reason');
    await card.getByLabel('Reason (required to deny or stop)').fill('ethics review pending');
    await card.getByTestId('deny').click();
    const confirm = card.getByTestId('confirm-action');
    await expect.poll(() => confirm.textContent()).toContain('applies to the whole study');
    await expect.poll(() => confirm.textContent()).toContain('until you lift the deny');
    await h.shot(page, 'deny-confirmation');
    await confirm.getByRole('button', { name: 'Confirm deny' }).click();
    // unsigned: the node rejects it, and the page does not pretend the study is denied
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toContain('was rejected by the node');
    expect(await state.getAttribute('data-state')).toBe('open');

    // signed: the node applies it; the page says every run is refused and the approval is not in force
    await h.fed.decideSigned(0, { studyId, decision: 'deny', reason: 'ethics review pending' });
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 30_000 }).toBe('denied');
    await expect
      .poll(() => state.textContent())
      .toContain('refuses every run of this study until the deny is lifted');
    await expect
      .poll(() => summaryRow.getByTestId('version-overridden').textContent())
      .toContain('not in force');
    await h.shot(page, 'study-denied');
    const refused = await rita.createTask({
      studyId,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] } as never,
    });
    await expect.poll(() => runAt(refused.id, h.fed.nodeNames[0]!), { timeout: 30_000 }).toBe('refused');

    // lifting asks for confirmation and says what holds again
    await card.getByTestId('lift-deny').click();
    await expect
      .poll(() => card.getByTestId('confirm-action').textContent())
      .toMatch(/summary \d+\.\d+\.\d+ runs without asking again/);
    await h.shot(page, 'lift-confirmation');
    await card.getByTestId('confirm-action').getByRole('button', { name: 'Lift the deny' }).click();
    await h.fed.decideSigned(0, { studyId, decision: 'approve' });
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 30_000 }).toBe('open');
    await expect.poll(() => state.textContent()).toContain('Deny lifted by node.admin.1');
    await h.shot(page, 'deny-lifted');
    // the approval from before the deny holds again: the next run goes ahead without asking
    const again = await rita.createTask({
      studyId,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] } as never,
    });
    await expect.poll(() => runAt(again.id, h.fed.nodeNames[0]!), { timeout: 30_000 }).toBe('completed');
    await context.close();
  });
});
