/**
 * The administration pages and the audit page in headless chromium against a real hub and nodes: a hub
 * admin creates an organisation and a user, signs a researcher out everywhere (their open page loses its
 * session), disables a user, re-keys a node, adds and removes an organisation; a researcher outside every
 * collaboration is told why the pages are empty; the audit page names people and objects, filters by
 * person, action and object at the hub, and exports CSV. Screenshots in packages/web/test-output/admin/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient } from '@fedhub/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHarness, startBrowserHarness } from '../test-support/browser-harness.js';

let h: BrowserHarness;
/**
 * The hub is shared by every browser file: the researcher signed out everywhere and the node re-keyed
 * are this file's own, not the shared researcher or a node other files run on.
 */
const sam = { username: 'sam.signed-out', password: 'sam signed out password' };
const SPARE_NODE = 'Spare node (admin test)';
const SPARE_COLLABORATION = 'Spare collaboration (admin test)';

/** Opens the action `testId` in the row and confirms it with `reason`. */
async function act(row: ReturnType<Page['getByTestId']>, testId: string, reason: string) {
  await row.getByTestId(testId).click();
  const panel = row.getByTestId('admin-action-panel');
  await panel.getByLabel('Reason (kept in the audit trail)').fill(reason);
  await panel.getByRole('button', { name: /^Confirm/ }).click();
  // the panel closes once the hub accepted the action (it stays open with the error otherwise)
  await expect.poll(() => panel.count(), { timeout: 10_000 }).toBe(0);
}

describe('administration and audit in a browser', () => {
  beforeAll(async () => {
    h = await startBrowserHarness('admin');
    const api = await HubClient.login(h.fed.hubUrl, h.fed.admin.username, h.fed.admin.password);
    await api.createUser({ ...sam, organisationId: h.fed.organisationIds[0]!, roles: ['researcher'] });
    const org = await api.createOrganisation({ name: 'Spare hospital (admin test)' });
    const collab = await api.createCollaboration({
      name: SPARE_COLLABORATION,
      organisationIds: [org.id],
    });
    await api.createNode({ collaborationId: collab.id, organisationId: org.id, name: SPARE_NODE });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('manages organisations, users, collaborations and nodes, with revocation', {
    timeout: 240_000,
  }, async () => {
    const { page, context } = await h.signIn(h.fed.admin);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByTestId('admin-users-table').waitFor();

    // an organisation outside every collaboration, and a researcher in it
    await page.getByRole('link', { name: 'Organisations' }).click();
    await page.getByLabel('Name').fill('Hospital D');
    await page.getByLabel('Country (two letters, e.g. NL)').fill('be');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('create-result').textContent()).toBe('created Hospital D');
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('Username').fill('olga.outside');
    await page.getByLabel('First password (at least 12 characters)').fill('olga outside password');
    await page.getByLabel('Organisation').selectOption({ label: 'Hospital D' });
    await page.getByRole('button', { name: 'Create user' }).click();
    const olgaRow = page.locator('[data-testid="admin-user-row"][data-username="olga.outside"]');
    await olgaRow.waitFor();
    expect(await olgaRow.textContent()).toContain('researcher');
    await h.shot(page, 'admin-users');

    // she is told why she sees nothing, and whom to ask
    const olga = await h.signIn({ username: 'olga.outside', password: 'olga outside password' });
    await olga.page.getByTestId('empty-no-collaboration').waitFor();
    expect(await olga.page.getByTestId('empty-no-collaboration').textContent()).toContain(
      'not in any collaboration',
    );
    await olga.page.getByRole('link', { name: 'Studies' }).click();
    await olga.page.getByTestId('empty-no-collaboration').waitFor();
    await h.shot(olga.page, 'empty-no-collaboration');
    await olga.context.close();

    // a researcher signed in elsewhere is signed out everywhere at once
    const rita = await h.signIn(sam);
    const ritaRow = page.locator(`[data-testid="admin-user-row"][data-username="${sam.username}"]`);
    await act(ritaRow, 'revoke-sessions', 'laptop stolen');
    await expect.poll(() => ritaRow.getByRole('status').textContent()).toContain('signed out everywhere');
    await rita.page.reload();
    await rita.page.getByText('Your session has ended').waitFor();
    await rita.context.close();

    // disabling shows at once in the list
    await act(olgaRow, 'disable-user', 'left the hospital');
    await expect.poll(() => olgaRow.getByTestId('admin-user-state').textContent()).toContain('disabled');

    // a collaboration gains and loses an organisation
    await page.getByRole('link', { name: 'Collaborations' }).click();
    const collab = page.getByTestId('admin-collaboration').filter({ hasText: SPARE_COLLABORATION });
    await collab.getByLabel('Add an organisation').selectOption({ label: 'Hospital D' });
    await collab.getByRole('button', { name: 'Add', exact: true }).click();
    const member = collab.getByTestId('collaboration-member').filter({ hasText: 'Hospital D' });
    await member.waitFor();
    await h.shot(page, 'admin-collaborations');
    await act(member, 'remove-organisation', 'joined by mistake');
    await expect.poll(() => member.count()).toBe(0);

    // a node is re-keyed: its token is void and a one-time enrolment token is shown once
    await page.getByRole('link', { name: 'Nodes' }).click();
    const node = page.locator(`[data-testid="admin-node-row"][data-node="${SPARE_NODE}"]`);
    await node.waitFor();
    await act(node, 'rekey-node', 'key file copied to a laptop');
    await expect
      .poll(() => node.getByTestId('enrolment-token').textContent())
      .toContain('One-time enrolment token');
    await h.shot(page, 'admin-nodes');
    await context.close();
  });

  it('shows the audit trail in words, filters it at the hub and exports it', {
    timeout: 120_000,
  }, async () => {
    const { page, context } = await h.signIn(h.fed.admin);
    await page.getByRole('link', { name: 'Audit' }).click();
    await expect.poll(() => page.getByTestId('audit-row').count(), { timeout: 15_000 }).toBeGreaterThan(5);
    // names, not ids
    const who = await page.getByTestId('audit-who').allTextContents();
    expect(who.some((w) => w === 'admin')).toBe(true);
    expect(who.some((w) => /^user [0-9a-f]{8}…$/.test(w))).toBe(false);

    // by person
    await page.getByLabel('Person (username)').fill('admin');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(async () => new Set(await page.getByTestId('audit-who').allTextContents()))
      .toEqual(new Set(['admin']));
    // and by action kind: only user actions by admin
    await page.getByLabel('Action').selectOption('user.');
    await expect
      .poll(async () =>
        (
          await page
            .getByTestId('audit-row')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))
        ).every((a) => a?.startsWith('user.')),
      )
      .toBe(true);
    const what = await page.getByTestId('audit-what').allTextContents();
    expect(what).toContain('signed a user out everywhere');
    expect(what).toContain('disabled a user');
    // and about one user, picked by name
    await page.getByLabel('About').selectOption('user');
    await page.getByLabel('Which user').selectOption({ label: `user ${sam.username}` });
    await expect
      .poll(async () => new Set(await page.getByTestId('audit-about').allTextContents()))
      .toEqual(new Set([`user ${sam.username}`]));
    await h.shot(page, 'audit-filtered');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /as CSV$/ }).click(),
    ]);
    const file = join(h.outDir, 'audit.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,time (UTC),who,actor,action,what,about,object,details,hash');
    expect(lines.slice(1).every((l) => l.includes(`user ${sam.username}`))).toBe(true);
    expect(lines.some((l) => l.includes('laptop stolen'))).toBe(true);

    // an unknown person finds nothing, and the page says what to check
    await page.getByLabel('About').selectOption('');
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Person (username)').fill('nobody.here');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByTestId('audit-empty').textContent()).toContain('nobody.here');
    await context.close();
  });
});
