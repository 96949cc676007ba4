/**
 * Serves the web dashboard (packages/web, built by `npm run build`) at `/`: static assets, and the app's
 * index.html for any other browser navigation outside `/api`, `/docs` and `/openapi.json`, so deep links
 * into the single-page app work. Without a built dashboard the hub still runs, API only.
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const API_PREFIXES = ['/api', '/docs', '/openapi.json', '/health'];

/** True when `dir` holds a built dashboard. */
export function hasDashboard(dir: string | undefined): dir is string {
  return typeof dir === 'string' && existsSync(join(dir, 'index.html'));
}

/**
 * True when `file` (a URL path, maybe with `..` or encoded separators) names something inside `root`.
 * Anything else is answered as an unknown path is (the app's index.html), so the answer does not tell
 * whether a file exists elsewhere on the server (`/../../etc/passwd` was 403, an absent file 200).
 */
function insideDir(root: string, file: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(file);
  } catch {
    return false;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return false;
  const full = resolve(root, decoded);
  return full.startsWith(root + sep);
}

export async function dashboardRoutes(app: FastifyInstance, opts: { dir: string }): Promise<void> {
  const root = resolve(opts.dir);
  // loaded only by a hub that serves a dashboard: an API-only hub never imports the static-file plugin
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, {
    root: opts.dir,
    prefix: '/',
    index: false,
    wildcard: false,
    cacheControl: true,
    maxAge: '1h',
  });
  // index.html must not be cached: it names the hashed asset files of the current build
  app.get('/', { schema: { hide: true } }, (_req, reply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false }),
  );
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const path = req.url.split('?')[0]!;
    const file = path.slice(1);
    if (API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`)))
      return reply.code(404).send({ code: 'FH_ERR_NOT_FOUND', message: `no route GET ${path}` });
    if (file.includes('.') && insideDir(root, file) && existsSync(join(root, file)))
      return reply.sendFile(file);
    if (file.startsWith('assets/'))
      return reply.code(404).send({ code: 'FH_ERR_NOT_FOUND', message: `no asset ${path}` });
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
