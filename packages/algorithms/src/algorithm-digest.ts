/**
 * The content digest of an algorithm: its name, version, parameter schema and the bytes of every module it
 * can execute. The module graph is walked from the file that defined the algorithm through every static
 * and dynamic import: relative files and workspace packages (`@fedhub/*`) by content, third-party packages
 * by name and installed version, Node built-ins not at all. A change in a helper or in the stats code
 * therefore changes the digest, and so reopens approval at every node (docs/security.md, Approvals).
 *
 * The hub and the nodes run the same install, so they walk the same files and agree on the digest. Run from
 * sources (vitest maps `@fedhub/*` to `src/*.ts`) the graph is the TypeScript one, so a process running
 * sources and one running `dist` give different digests: they also run different code.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '@fedhub/protocol';

/** The file a module graph starts from, or undefined when it cannot be told. */
export type DefinitionSite = string | undefined;

const IMPORT_RE =
  /(?:^|[;\s}])(?:import|export)\s*(?:type\s+)?(?:[\w*${}\s,]*?\sfrom\s*)?['"]([^'"\n]+)['"]|\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/**
 * The file of the module that called the function calling this one (the algorithm's own module when
 * called from `defineAlgorithm`), from the stack at definition time.
 */
export function definitionSite(): DefinitionSite {
  const stack = new Error().stack ?? '';
  const frames = stack.split('\n').slice(1);
  const files = frames
    .map((f) => /(?:file:\/\/)?(\/[^\s():]+\.(?:[cm]?js|[cm]?ts))(?::\d+){0,2}\)?\s*$/.exec(f)?.[1])
    .filter((f): f is string => f !== undefined);
  // [0] this file, [1] define-algorithm, [2] the algorithm's module
  const own = files[0];
  const caller = files.find((f, i) => i > 0 && f !== own && !/define-algorithm\.[cm]?[jt]s$/.test(f));
  return caller && existsSync(caller) ? caller : undefined;
}

function packageRootOf(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function findInstalledPackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function packageNameOf(spec: string): { name: string; sub: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const sub = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), sub: sub ? `./${sub}` : '.' };
}

/** `./dist/x.js` of a workspace package, in the flavour (dist or src) of the file importing it. */
function workspaceEntry(root: string, sub: string, fromSource: boolean): string | undefined {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports?: Record<string, string | { default?: string }>;
  };
  const target = pkg.exports?.[sub] ?? (sub === '.' ? './dist/index.js' : undefined);
  const path = typeof target === 'string' ? target : target?.default;
  if (!path) return undefined;
  const mapped = fromSource ? path.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts') : path;
  const file = resolve(root, mapped);
  return existsSync(file) ? file : undefined;
}

function relativeFile(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.js`, `${base}.ts`, join(base, 'index.js')];
  if (from.endsWith('.ts')) candidates.unshift(base.replace(/\.js$/, '.ts'));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

type ResolvedImport = { file: string } | { external: string } | { unresolved: string };

/** What one import of `from` names: a file to read, or a third-party package to pin by version. */
function resolveImport(from: string, spec: string): ResolvedImport | null {
  if (spec.startsWith('node:')) return null;
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const file = relativeFile(from, spec);
    return file ? { file } : { unresolved: spec };
  }
  const { name, sub } = packageNameOf(spec);
  const root = findInstalledPackage(dirname(from), name);
  // a Node built-in imported without the prefix (e.g. 'fs')
  if (!root) return /^[a-z_]+$/.test(spec) ? null : { unresolved: spec };
  if (name.startsWith('@fedhub/')) {
    const file = workspaceEntry(root, sub, from.endsWith('.ts'));
    return file ? { file } : { unresolved: spec };
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string })
    .version;
  return { external: `${name}@${version ?? 'unknown'}` };
}

/** The files and third-party packages reachable from `entry`, and the digest of their content. */
export interface ModuleGraph {
  /** Files read, relative to the common workspace root, sorted. */
  readonly files: readonly string[];
  /** Third-party packages as name@version, sorted. */
  readonly externals: readonly string[];
  /** Specifiers that could not be resolved (their text is part of the digest). */
  readonly unresolved: readonly string[];
  /** sha256 over the sorted files' relative paths and bytes, the externals and the unresolved. */
  readonly digest: string;
}

const graphCache = new Map<string, ModuleGraph>();
const fileCache = new Map<string, { bytes: Buffer; imports: ResolvedImport[] }>();

/** A file's bytes and what its imports resolve to (cached: the algorithms share most of their graph). */
function fileImports(file: string): { bytes: Buffer; imports: ResolvedImport[] } {
  const cached = fileCache.get(file);
  if (cached) return cached;
  const bytes = readFileSync(file);
  const imports: ResolvedImport[] = [];
  for (const m of bytes.toString('utf8').matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (!spec) continue;
    const r = resolveImport(file, spec);
    if (r !== null) imports.push(r);
  }
  const entry = { bytes, imports };
  fileCache.set(file, entry);
  return entry;
}

/**
 * Walks the module graph from `entry` and hashes it. Cached per entry for the life of the process (the
 * installed code does not change under a running process; a new build starts new processes).
 */
export function moduleGraph(entry: string): ModuleGraph {
  const cached = graphCache.get(entry);
  if (cached) return cached;
  const seen = new Map<string, Buffer>();
  const externals = new Set<string>();
  const unresolved = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const { bytes, imports } = fileImports(file);
    seen.set(file, bytes);
    for (const r of imports) {
      if ('file' in r) queue.push(r.file);
      else if ('external' in r) externals.add(r.external);
      else unresolved.add(`${relative(packageRootOf(file) ?? dirname(file), file)}:${r.unresolved}`);
    }
  }
  const paths = [...seen.keys()];
  const base = commonDir(paths);
  const hash = createHash('sha256');
  const files = paths
    .map((p) => ({ rel: relative(base, p).split(sep).join('/'), p }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const f of files) {
    const bytes = seen.get(f.p)!;
    hash.update(`${f.rel}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  const ext = [...externals].sort();
  const unres = [...unresolved].sort();
  hash.update(canonicalJson({ externals: ext, unresolved: unres }));
  const graph: ModuleGraph = {
    files: files.map((f) => f.rel),
    externals: ext,
    unresolved: unres,
    digest: hash.digest('hex'),
  };
  graphCache.set(entry, graph);
  return graph;
}

function commonDir(paths: string[]): string {
  const split = paths.map((p) => dirname(p).split(sep));
  const first = split[0] ?? [];
  let n = first.length;
  for (const s of split) {
    let i = 0;
    while (i < n && s[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}

/** The package entry of @fedhub/algorithms in the flavour this module runs as (when the site is unknown). */
function ownPackageEntry(): string {
  const self = fileURLToPath(import.meta.url);
  const root = packageRootOf(self)!;
  return workspaceEntry(root, '.', self.endsWith('.ts')) ?? self;
}

/** What an algorithm's digest is computed from. */
export interface AlgorithmDigestInput {
  name: string;
  version: string;
  /** JSON Schema of the parameters. */
  params: Record<string, unknown>;
  /** The module that defined the algorithm; the whole package when unknown. */
  site: DefinitionSite;
}

/** sha256 (hex) of the algorithm's identity, parameter schema and executable module graph. */
export function algorithmDigest(a: AlgorithmDigestInput): string {
  const graph = moduleGraph(a.site ?? ownPackageEntry());
  return createHash('sha256')
    .update(canonicalJson({ name: a.name, version: a.version, params: a.params, code: graph.digest }))
    .digest('hex');
}
