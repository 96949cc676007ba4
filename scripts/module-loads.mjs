#!/usr/bin/env node
/**
 * What a fedhub entry point loads, by package: ESM files (seen by a module.register load hook) and CommonJS
 * files (require.cache at exit). Start-up cost is mostly module loading, so this is how to see which
 * dependency a command pulls in and why it starts slowly (docs/benchmarks.md, "Start-up").
 *
 *   node scripts/module-loads.mjs import @fedhub/node            # what importing a package loads
 *   node scripts/module-loads.mjs import ./packages/cli/dist/commands/simulate.js
 *   FEDHUB_MODULE_LOADS_OUT=/tmp/loads.txt node --import ./scripts/module-loads.mjs \
 *     packages/cli/bin/fedhub.js simulate ...                  # what a whole command loads
 *   node scripts/module-loads.mjs report /tmp/loads.txt         # that list by package
 *
 * `import` and `report` print "files package" lines, most files first; `--files` prints the files instead.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const OUT = 'FEDHUB_MODULE_LOADS_OUT';

// In the loader-hooks thread: every module the ESM loader loads, one URL a line, written at once so that
// nothing is lost when the process exits.
let hookOut;
export function initialize(data) {
  hookOut = data.out;
}
export async function load(url, context, next) {
  if (hookOut) appendFileSync(hookOut, `${url}\n`);
  return next(url, context);
}

/** The package a loaded file belongs to: the innermost node_modules package, else the workspace package. */
export function packageOf(url) {
  const nm = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (nm.length > 0) return nm[nm.length - 1][1];
  const ws = url.match(/\/packages\/([^/]+)\//);
  return ws ? `@fedhub/${ws[1]}` : url;
}

function byPackage(urls) {
  const counts = new Map();
  for (const u of urls) {
    if (!u.startsWith('file:')) continue;
    const p = packageOf(u);
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function readLoads(file) {
  return [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
}

function print(urls, files) {
  if (files) for (const u of urls.filter((x) => x.startsWith('file:')).sort()) console.log(u);
  else for (const [p, n] of byPackage(urls)) console.log(`${n} ${p}`);
}

const self = fileURLToPath(import.meta.url);
const asScript = isMainThread && process.argv[1] === self;

if (isMainThread && !asScript && process.env[OUT]) {
  // preloaded with --import: record ESM loads off-thread, CommonJS loads at exit
  const out = process.env[OUT];
  register(import.meta.url, { data: { out } });
  process.on('exit', () => {
    const cjs = Object.keys(createRequire(import.meta.url).cache).map((f) => pathToFileURL(f).href);
    if (cjs.length > 0) appendFileSync(out, `${cjs.join('\n')}\n`);
  });
} else if (asScript) {
  const [cmd, arg, ...rest] = process.argv.slice(2);
  const files = rest.includes('--files');
  if (cmd === 'report' && arg) {
    print(readLoads(arg), files);
  } else if (cmd === 'import' && arg) {
    const out = join(tmpdir(), `fedhub-module-loads-${process.pid}.txt`);
    rmSync(out, { force: true });
    const spec = arg.startsWith('.') || arg.startsWith('/') ? pathToFileURL(arg).href : arg;
    const r = spawnSync(
      process.execPath,
      ['--import', import.meta.url, '--input-type=module', '-e', `await import(${JSON.stringify(spec)})`],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, [OUT]: out } },
    );
    if (r.status !== 0) {
      process.stderr.write(`module-loads: importing ${arg} failed (exit ${r.status})\n`);
      process.exit(1);
    }
    print(readLoads(out), files);
    rmSync(out, { force: true });
  } else {
    process.stderr.write('usage: module-loads.mjs import SPECIFIER [--files] | report FILE [--files]\n');
    process.exit(2);
  }
}
