import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleGraph } from './algorithm-digest.js';
import { getAlgorithm, listAlgorithms } from './registry.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A small install: an algorithm module, its helper, a workspace stats package and a third-party package. */
function install(overrides: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'fedhub-digest-'));
  roots.push(root);
  const files: Record<string, string> = {
    'package.json': '{"name":"@fedhub/algorithms","type":"module"}',
    'dist/glm/glm.js':
      "import { irls } from './irls.js';\nimport { z } from 'zod';\nimport { createHash } from 'node:crypto';\nexport const glm = { irls, z, createHash };\n",
    'dist/glm/irls.js': "import { solve } from '@fedhub/stats';\nexport const irls = (a) => solve(a);\n",
    'dist/unrelated.js': 'export const x = 1;\n',
    'node_modules/@fedhub/stats/package.json':
      '{"name":"@fedhub/stats","type":"module","exports":{".":{"default":"./dist/index.js"}}}',
    'node_modules/@fedhub/stats/dist/index.js': "export { solve } from './solve.js';\n",
    'node_modules/@fedhub/stats/dist/solve.js': 'export const solve = (a) => a * 2;\n',
    'node_modules/zod/package.json': '{"name":"zod","version":"4.6.7"}',
    ...overrides,
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('algorithm digest: the module graph', () => {
  it('covers the helpers, the workspace stats package and third-party versions, not unrelated files', () => {
    const base = moduleGraph(join(install(), 'dist/glm/glm.js'));
    expect(base.files).toEqual([
      'dist/glm/glm.js',
      'dist/glm/irls.js',
      'node_modules/@fedhub/stats/dist/index.js',
      'node_modules/@fedhub/stats/dist/solve.js',
    ]);
    expect(base.externals).toEqual(['zod@4.6.7']);
    const same = moduleGraph(join(install(), 'dist/glm/glm.js'));
    expect(same.digest).toBe(base.digest);
    // a change in a stats function two imports away
    const stats = moduleGraph(
      join(
        install({ 'node_modules/@fedhub/stats/dist/solve.js': 'export const solve = (a) => a * 3;\n' }),
        'dist/glm/glm.js',
      ),
    );
    expect(stats.digest).not.toBe(base.digest);
    const helper = moduleGraph(
      join(
        install({
          'dist/glm/irls.js':
            "import { solve } from '@fedhub/stats';\nexport const irls = (a) => solve(a) + 0;\n",
        }),
        'dist/glm/glm.js',
      ),
    );
    expect(helper.digest).not.toBe(base.digest);
    const zod = moduleGraph(
      join(
        install({ 'node_modules/zod/package.json': '{"name":"zod","version":"4.6.8"}' }),
        'dist/glm/glm.js',
      ),
    );
    expect(zod.digest).not.toBe(base.digest);
    const unrelated = moduleGraph(
      join(install({ 'dist/unrelated.js': 'export const x = 2;\n' }), 'dist/glm/glm.js'),
    );
    expect(unrelated.digest).toBe(base.digest);
  });

  it('the built-in algorithms are digested from their own modules, stats code included', () => {
    const glm = getAlgorithm('glm')!;
    expect(glm.digest).toMatch(/^[0-9a-f]{64}$/);
    const digests = new Set(listAlgorithms().map((a) => `${a.name}@${a.version}:${a.digest}`));
    expect(digests.size).toBe(listAlgorithms().length);
    expect(new Set(listAlgorithms().map((a) => a.digest)).size).toBe(listAlgorithms().length);
  });
});
