/**
 * The `browser` project's global setup: ONE fresh build of the dashboard, ONE federation (a hub and three
 * manual-approval nodes on loopback, as ./browser-harness.ts describes), ONE same-origin front and ONE
 * headless chromium, shared by every browser test file (each file used to start its own: about 15 s of
 * build and start-up per file, and six hubs and eighteen nodes on a 2-core runner).
 *
 * Files stay independent of each other and of their order: each creates its own study with a title of
 * its own, pre-approves or decides only for its own study, signs in in a browser context of its own, and
 * what changes the whole hub (signing a user out everywhere, re-keying a node) is done on accounts and
 * nodes the file creates for itself. A file that counts everything at a node gets a collaboration and
 * node of its own on the shared hub (`startBrowserHarness(suite, { ownCollaboration: 3 })`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS, chromiumPath, requireChromium, type SharedFederation } from './shared-federation.js';
import { startStaticProxy } from './static-proxy.js';

const webDir = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireChromium();
  const work = mkdtempSync(join(tmpdir(), 'fedhub-browser-'));
  const distDir = join(work, 'dist');
  // the tests always drive a fresh build of the dashboard, built once for all files
  await build({
    configFile: join(webDir, 'vite.config.ts'),
    root: webDir,
    logLevel: 'silent',
    build: { outDir: distDir, emptyOutDir: true },
  });
  const { fed, stop } = await startFederationProcess(work);
  const front = await startStaticProxy(distDir, fed.hubUrl);
  const server = await chromium.launchServer({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const shared: SharedFederation = {
    url: front.url,
    wsEndpoint: server.wsEndpoint(),
    work,
    fed,
  };
  project.provide('sharedFederation', shared);
  return async () => {
    await server.close();
    await front.close();
    await stop();
    rmSync(work, { recursive: true, force: true });
  };
}

/** Starts ./federation-process.mjs and reads the federation's accounts and ids from its first line. */
async function startFederationProcess(
  work: string,
): Promise<{ fed: SharedFederation['fed']; stop: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./federation-process.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, work], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`the shared federation exited (${code}) before it started`)),
    );
  });
  return {
    fed: JSON.parse(first) as SharedFederation['fed'],
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
