/**
 * What every browser test file needs: a fresh build of the dashboard (in a folder of its own, so that test
 * files may run side by side), the real federation of ./federation.ts behind a same-origin front, headless
 * chromium, sign-in per role in a context of its own, and screenshots kept under
 * packages/web/test-output/<suite>/ (gitignored), attached to the test run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestFederation, type TestFederation } from '@fedhub/testkit/web-federation';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { type StaticProxy, startStaticProxy } from './static-proxy.js';

const webDir = fileURLToPath(new URL('../..', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

export async function startBrowserHarness(suite: string, rows = 400): Promise<BrowserHarness> {
  if (!existsSync(chromiumPath))
    throw new Error(
      `chromium not found at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  const outDir = join(webDir, 'test-output', suite);
  // only this run's files: stale screenshots would be mistaken for fresh ones
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), `fedhub-web-${suite}-`));
  const distDir = join(work, 'dist');
  await build({
    configFile: join(webDir, 'vite.config.ts'),
    root: webDir,
    logLevel: 'silent',
    build: { outDir: distDir, emptyOutDir: true },
  });
  let fed: TestFederation | undefined;
  let front: StaticProxy | undefined;
  try {
    fed = await startTestFederation(work, rows);
    front = await startStaticProxy(distDir, fed.hubUrl);
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    const url = front.url;
    const ready = { fed, front };
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
        await ready.front.close();
        await ready.fed.close();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await front?.close();
    await fed?.close();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}
