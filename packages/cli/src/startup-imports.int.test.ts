/**
 * Start-up guard (issue #16): importing what `fedhub simulate`, `fedhub node` and the hub run does not load
 * the heavy optional parts (DICOM parsing and networking, ONNX decoding and runtime, RT, radiomics' DICOM and
 * feature code, the hub's API-docs plugins). Each entry is imported in a fresh Node process on the built
 * packages, with scripts/module-loads.mjs recording every module loaded: vitest's own loader would not show
 * what Node loads.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function loadedFiles(entry: string): string[] {
  const out = execFileSync(
    process.execPath,
    [join(root, 'scripts', 'module-loads.mjs'), 'import', entry, '--files'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return out.split('\n').filter(Boolean);
}

/** A package's files among `files` (node_modules package or workspace package folder). */
function filesOf(files: string[], pkg: string): string[] {
  const ws = pkg.startsWith('@fedhub/') ? `/packages/${pkg.slice('@fedhub/'.length)}/` : undefined;
  return files.filter((f) => f.includes(`/node_modules/${pkg}/`) || (ws !== undefined && f.includes(ws)));
}

const HEAVY_OPTIONAL = [
  'dcmjs',
  'dcmjs-dimse',
  'onnxruntime-node',
  'protobufjs',
  '@fedhub/rt',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/static',
] as const;

// each test starts Node and imports an entry: tens of seconds on a crowded machine
describe('start-up imports', { timeout: 180_000 }, () => {
  it('sees what it looks for: @fedhub/radiomics loads dcmjs, dcmjs-dimse itself is seen', () => {
    // the check itself can fail: an entry that does load one of them is seen
    expect(filesOf(loadedFiles('@fedhub/radiomics'), 'dcmjs').length).toBeGreaterThan(0);
    expect(filesOf(loadedFiles('dcmjs-dimse'), 'dcmjs-dimse').length).toBeGreaterThan(0);
  });

  for (const entry of [
    '@fedhub/algorithms',
    '@fedhub/node/runtime',
    '@fedhub/node/datasets',
    '@fedhub/hub',
    './packages/cli/dist/commands/simulate.js',
    './packages/cli/dist/commands/node.js',
  ]) {
    it(`${entry} loads none of ${HEAVY_OPTIONAL.join(', ')}`, () => {
      const files = loadedFiles(entry);
      expect(files.length).toBeGreaterThan(10);
      const found = HEAVY_OPTIONAL.filter((p) => filesOf(files, p).length > 0);
      expect(found).toEqual([]);
      // radiomics: only the resampler and settings, not its DICOM readers or feature code
      expect(
        filesOf(files, '@fedhub/radiomics').filter((f) => /\/dist\/(dicom|features|texture)\//.test(f)),
      ).toEqual([]);
    });
  }

  // simulate starts DuckDB's parse of the files first and imports the rest while it runs: what comes before
  // the parse starts is the simulate command's module and the dataset store's entry
  it('the simulate command module loads neither the hub, the node, the SDK nor the logger', () => {
    const files = loadedFiles('./packages/cli/dist/commands/simulate.js');
    const found = [
      '@fedhub/hub',
      '@fedhub/node',
      '@fedhub/sdk',
      '@fedhub/testkit',
      '@fedhub/algorithms',
      'pino',
    ].filter((p) => filesOf(files, p).length > 0);
    expect(found).toEqual([]);
  });

  it('@fedhub/node/datasets loads DuckDB without the algorithms and stats code its tables are read with', () => {
    const files = loadedFiles('@fedhub/node/datasets');
    expect(filesOf(files, '@duckdb/node-api').length).toBeGreaterThan(0);
    expect(['@fedhub/algorithms', '@fedhub/stats'].filter((p) => filesOf(files, p).length > 0)).toEqual([]);
  });

  it("@fedhub/hub loads Kysely's CommonJS build only (its ESM build is 263 files)", () => {
    const kysely = filesOf(loadedFiles('@fedhub/hub'), 'kysely');
    expect(kysely.filter((f) => f.includes('/kysely/dist/cjs/')).length).toBeGreaterThan(0);
    expect(kysely.filter((f) => f.includes('/kysely/dist/esm/'))).toEqual([]);
  });

  it('@fedhub/node (main entry, with the DICOM store) loads neither DIMSE, ONNX nor RT', () => {
    const files = loadedFiles('@fedhub/node');
    const found = ['dcmjs-dimse', 'onnxruntime-node', 'protobufjs', '@fedhub/rt'].filter(
      (p) => filesOf(files, p).length > 0,
    );
    expect(found).toEqual([]);
  });
});
