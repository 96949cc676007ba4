/**
 * The package table of docs/architecture.md is true: for every workspace package, the `@fedhub/*` packages
 * its production code imports (src, tests and test support left out) are exactly its package.json
 * `dependencies`, exactly its tsconfig.json project references (a clean `npm ci` runs `tsc -b`, which
 * builds a package before its references only), and allowed by the table's "may import" column; what its
 * tests import is a dependency or devDependency and referenced by its tsconfig.test.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packagesDir = join(root, 'packages');
const names = readdirSync(packagesDir).filter((n) => existsSync(join(packagesDir, n, 'package.json')));

/** The table's "may import" column by package name; `any` allows every package. */
function tableRows(): Map<string, Set<string> | 'any'> {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Package layout'));
  const rows = new Map<string, Set<string> | 'any'>();
  for (const line of section.split('\n')) {
    const m = /^\| `packages\/([a-z]+)` \|.*\| (.+) \|$/.exec(line);
    if (!m) continue;
    const allowed = m[2]!.trim();
    if (allowed === 'any') rows.set(m[1]!, 'any');
    else {
      // "protocol, stats, crypto (unmasking secure sums)": the first word of each comma-separated entry,
      // parentheses removed first (they may hold commas)
      const bare = allowed.replace(/\([^)]*\)/g, '');
      rows.set(m[1]!, new Set(bare === '-' ? [] : bare.split(',').map((s) => s.trim().split(/\s+/)[0]!)));
    }
  }
  return rows;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|tsx)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const isTest = (f: string) => /\.test\.tsx?$/.test(f);

/** The folders the package's tsconfig.json excludes besides tests (harnesses built only for tests). */
function excludedDirs(pkg: string): string[] {
  const file = join(packagesDir, pkg, 'tsconfig.json');
  if (!existsSync(file)) return [];
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as { exclude?: string[] };
  return (cfg.exclude ?? [])
    .filter((e) => !/\*\.(int\.|browser\.)?test\.ts$/.test(e))
    .map((e) => join(packagesDir, pkg, e.replace(/\/\*\*$/, '')));
}

/** `@fedhub/*` packages a file imports, statically or dynamically, or whose files it resolves (the CLI: web's build). */
function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of src.matchAll(/(?:from|import\(|import|resolve\()\s*'@fedhub\/([a-z]+)/g)) found.add(m[1]!);
  return [...found];
}

function imports(pkg: string, which: 'production' | 'tests'): string[] {
  const dir = join(packagesDir, pkg);
  const excluded = excludedDirs(pkg);
  // fixtures/: test data and the scripts that build it
  const files = [
    ...walk(join(dir, 'src')),
    ...walk(join(dir, 'test')),
    ...walk(join(dir, 'fixtures')),
  ].filter((f) => {
    const testCode =
      isTest(f) ||
      f.startsWith(join(dir, 'test')) ||
      f.startsWith(join(dir, 'fixtures')) ||
      f.includes('/test-support/') ||
      excluded.some((e) => f.startsWith(e));
    return which === 'tests' ? testCode : !testCode;
  });
  return [...new Set(files.flatMap(importsOf))].filter((n) => n !== pkg).sort();
}

function fedhubDeps(pkg: string, field: 'dependencies' | 'devDependencies'): string[] {
  const json = JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  return Object.keys(json[field] ?? {})
    .filter((d) => d.startsWith('@fedhub/'))
    .map((d) => d.slice('@fedhub/'.length))
    .sort();
}

function references(pkg: string, config: string): string[] | null {
  const file = join(packagesDir, pkg, config);
  if (!existsSync(file)) return null;
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as { references?: Array<{ path: string }> };
  return (cfg.references ?? [])
    .map((r) => r.path)
    .filter((p) => p.startsWith('../'))
    .map((p) => p.slice(3))
    .sort();
}

/** Packages that are not TypeScript projects of the build (`web` is built by Vite, over sources). */
const NOT_IN_TSC_BUILD = new Set(['web']);

describe('the package table (docs/architecture.md) is true', () => {
  const table = tableRows();

  it('lists every workspace package, and nothing else', () => {
    expect([...table.keys()].sort()).toEqual([...names].sort());
  });

  for (const pkg of names) {
    describe(pkg, () => {
      const used = imports(pkg, 'production');

      it('imports only what the table allows', () => {
        const allowed = table.get(pkg);
        if (allowed === 'any') return;
        expect(used.filter((u) => !allowed?.has(u))).toEqual([]);
      });

      it('declares exactly what it imports as dependencies', () => {
        expect(fedhubDeps(pkg, 'dependencies')).toEqual(used);
      });

      it('references exactly its dependencies in tsconfig.json (tsc -b builds them first)', () => {
        if (NOT_IN_TSC_BUILD.has(pkg)) return;
        // the CLI resolves the web package's build folder (not code): web is no project of the build
        expect(references(pkg, 'tsconfig.json')).toEqual(used.filter((u) => !NOT_IN_TSC_BUILD.has(u)));
      });

      it('declares what its tests import, and references it in tsconfig.test.json', () => {
        const tests = imports(pkg, 'tests');
        const declared = new Set([...fedhubDeps(pkg, 'dependencies'), ...fedhubDeps(pkg, 'devDependencies')]);
        expect(tests.filter((t) => !declared.has(t))).toEqual([]);
        if (NOT_IN_TSC_BUILD.has(pkg)) return;
        const refs = new Set(references(pkg, 'tsconfig.test.json') ?? []);
        expect(tests.filter((t) => !refs.has(t) && !used.includes(t))).toEqual([]);
      });
    });
  }
});
