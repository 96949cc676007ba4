import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source, so `vitest` needs no build for in-process tests.
// Integration tests that spawn real processes use the compiled CLI (`npm test` builds first).
// Every entry of a package's `exports` (`@fedhub/node`, `@fedhub/node/datasets`) maps to its source file:
// ./dist/x/y.js -> src/x/y.ts.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const alias = readdirSync(packagesDir).flatMap((name) => {
  const exportsField = (
    JSON.parse(readFileSync(`${packagesDir}${name}/package.json`, 'utf8')) as {
      exports?: Record<string, { default: string }>;
    }
  ).exports ?? { '.': { default: './dist/index.js' } };
  return Object.entries(exportsField).map(([sub, target]) => ({
    find: new RegExp(`^@fedhub/${name}${sub === '.' ? '' : sub.slice(1).replaceAll('/', '\\/')}$`),
    replacement: `${packagesDir}${name}/${target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`,
  }));
});

// Three projects by file suffix (CONVENTIONS.md): `unit` runs in-process from source and needs no build
// (`npm run test:unit`); `int` starts real processes (the compiled CLI, PostgreSQL, dcmtk, Orthanc) and
// `browser` drives headless chromium over the built dashboard: both need `npm run build` first, which
// `npm test` does.
const UNIT = ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'];
const INT = ['packages/*/src/**/*.int.test.ts', 'packages/*/test/**/*.int.test.ts'];
const BROWSER = ['packages/*/src/**/*.browser.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // one fork per core: the integration tests start several processes each and time out when crowded
    maxWorkers: Math.max(1, availableParallelism()),
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, exclude: [...INT, ...BROWSER] } },
      { extends: true, test: { name: 'int', include: INT } },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER,
          // one dashboard build, federation, front and chromium for all browser files (test-support/)
          globalSetup: ['packages/web/src/test-support/browser-global-setup.ts'],
        },
      },
    ],
  },
});
