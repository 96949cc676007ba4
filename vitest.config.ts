import { readdirSync, readFileSync } from 'node:fs';
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

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
