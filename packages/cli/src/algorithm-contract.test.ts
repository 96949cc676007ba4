/**
 * The algorithm contract, end to end: every algorithm of the registry has a result schema (protocol's,
 * by its name), release texts for the Art. 30 record, a CLI formatter, a web view and a reference test.
 * Adding an algorithm without one of them fails here, naming what is missing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listAlgorithms } from '@fedhub/algorithms';
import { RESULT_SCHEMAS } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { RESULT_VIEWS } from '../../web/src/results/result-view.js';
import { RESULT_FORMATTERS } from './format-result.js';

const packages = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(path);
  }
  return out;
}

const algorithmFiles = files(join(packages, 'algorithms/src'));
const testFiles = readdirSync(packages).flatMap((p) => {
  try {
    return files(join(packages, p, 'src')).filter((f) => f.endsWith('.test.ts'));
  } catch {
    return [];
  }
});

/** The folder whose source defines the algorithm `name`. */
function folderOf(name: string): string | undefined {
  const def = algorithmFiles.find(
    (f) =>
      f.endsWith('.ts') && !f.endsWith('.test.ts') && readFileSync(f, 'utf8').includes(`name: '${name}',`),
  );
  return def ? def.slice(0, def.lastIndexOf('/')) : undefined;
}

/** A test beside the algorithm, or one that runs it by name through the node's executor. */
function referenceTests(name: string): string[] {
  const folder = folderOf(name);
  const runs = new RegExp(`(runLocalFederation|federate)\\(\\s*'${name.replace(/[-]/g, '\\-')}'`);
  return testFiles.filter(
    (f) => (folder !== undefined && f.startsWith(`${folder}/`)) || runs.test(readFileSync(f, 'utf8')),
  );
}

describe('every algorithm owns its contract', () => {
  const algorithms = listAlgorithms();
  it('lists the built-in algorithms', () => {
    expect(algorithms.length).toBeGreaterThanOrEqual(13);
  });
  for (const a of algorithms)
    it(`${a.name}@${a.version}: result schema, release texts, CLI formatter, web view, reference test`, () => {
      const missing: string[] = [];
      if (a.resultSchema === undefined || RESULT_SCHEMAS[a.name] !== a.resultSchema)
        missing.push('a result schema in @fedhub/protocol results (RESULT_SCHEMAS)');
      if (!(typeof a.releases?.pooled === 'string' && a.releases.pooled.length > 20))
        missing.push('releases.pooled');
      if (
        !(
          a.releases?.perNode === null ||
          (typeof a.releases?.perNode === 'string' && a.releases.perNode.length > 0)
        )
      )
        missing.push('releases.perNode');
      if (!Object.hasOwn(RESULT_FORMATTERS, a.name)) missing.push('a CLI formatter (RESULT_FORMATTERS)');
      if (!Object.hasOwn(RESULT_VIEWS, a.name)) missing.push('a web view (RESULT_VIEWS)');
      if (referenceTests(a.name).length === 0) missing.push('a reference test');
      expect(missing).toEqual([]);
    });
});
