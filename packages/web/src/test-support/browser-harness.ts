/**
 * What every browser test file needs: the dashboard, the federation, the front and chromium that the
 * browser project's global setup started once for all files (./browser-global-setup.ts), sign-in per role
 * in a browser context of its own, and screenshots kept under packages/web/test-output/<suite>/
 * (gitignored). A file that counts everything at a node asks for a collaboration of its own on the shared
 * hub, with its nodes started in the file's own process.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addTestCollaboration,
  adminSigner,
  startTestFederation,
  type TestFederation,
} from '@fedhub/testkit/web-federation';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import './shared-federation.js';
import { type StaticProxy, startStaticProxy } from './static-proxy.js';

const webDir = fileURLToPath(new URL('../..', import.meta.url));

export interface User {
  username: string;
  password: string;
}

export interface BrowserHarness {
  fed: TestFederation;
  url: string;
  browser: Browser;
  outDir: string;
  /** A full-page screenshot of `page` as <outDir>/<name>.png. */
  shot(page: Page, name: string): Promise<string>;
  /** A browser context of its own with `user` signed in, on the federation page. */
  signIn(user: User): Promise<{ page: Page; context: BrowserContext }>;
  close(): Promise<void>;
}

/** Options of {@link startBrowserHarness}. */
export interface HarnessOptions {
  /** Screenshots under packages/web/<outRoot>/<suite> (default test-output). */
  outRoot?: string;
  /**
   * A collaboration of its own with this many hospitals and their nodes (accounts prefixed with the
   * suite's name); nodes compute only in rounds of at least 3 nodes (the node floor).
   */
  ownCollaboration?: number;
  /**
   * A hub and three nodes of its own, in this file's process, behind a front of its own (the shared
   * build and chromium still): for the inbox test, whose counts and decisions at a node must see
   * nothing of other files.
   */
  ownFederation?: boolean;
}

/** Connects to the shared federation and chromium; `close` closes only what this file opened. */
export async function startBrowserHarness(suite: string, opts: HarnessOptions = {}): Promise<BrowserHarness> {
  const shared = inject('sharedFederation');
  const outDir = join(webDir, opts.outRoot ?? 'test-output', suite);
  // only this run's files: stale screenshots would be mistaken for fresh ones
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const s = shared.fed;
  let own: { fed: TestFederation; work: string; front?: StaticProxy } | undefined;
  if (opts.ownFederation) {
    const work = mkdtempSync(join(shared.work, `${suite}-`));
    const fed = await startTestFederation(work);
    own = { work, fed, front: await startStaticProxy(join(shared.work, 'dist'), fed.hubUrl) };
  } else if (opts.ownCollaboration) {
    const work = mkdtempSync(join(shared.work, `${suite}-`));
    own = {
      work,
      fed: await addTestCollaboration(s.hubUrl, s.admin, work, 400, {
        prefix: suite,
        centres: opts.ownCollaboration,
      }),
    };
  }
  const fed: TestFederation = own?.fed ?? {
    ...s,
    decideSigned: adminSigner(s.hubUrl, s.nodeAdmins, s.nodeIds, s.adminKeyPems),
    adminKeyPem: (i) => s.adminKeyPems[i]!,
    // the shared federation is stopped by the global setup's teardown
    close: async () => {},
  };
  const browser = await chromium.connect(shared.wsEndpoint);
  const url = own?.front?.url ?? shared.url;
  return {
    fed,
    url,
    browser,
    outDir,
    async shot(page, name) {
      const path = join(outDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async signIn(user) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(url);
      await page.getByLabel('Username').fill(user.username);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-as').waitFor();
      return { page, context };
    },
    async close() {
      await browser.close();
      if (own) {
        await own.front?.close();
        await own.fed.close();
        rmSync(own.work, { recursive: true, force: true });
      }
    },
  };
}
