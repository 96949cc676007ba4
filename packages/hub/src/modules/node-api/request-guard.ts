/**
 * Order of checks on the node protocol routes, cheapest and most selective first, all before the body is
 * read (issue 15, item 1): a per-address rate limit, then the node token, then (for a result) whether the
 * run is this node's and currently claimed. Only then is the body read, parsed, shape-checked and
 * validated. The 16 MiB body limit of a result is granted to an authenticated node posting to a run it
 * holds; any other body on these routes may weigh {@link NODE_SMALL_BODY_LIMIT} at most.
 */
import { Transform } from 'node:stream';
import { FedhubError } from '@fedhub/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModuleDeps } from '../../core/module.js';

/** The largest result body: an authenticated node posting to a run it has claimed. */
export const NODE_RESULT_BODY_LIMIT = 16 * 1024 * 1024;

/** Every other body on the node routes (heartbeats, claims, a result for someone else's run). */
export const NODE_SMALL_BODY_LIMIT = 1024 * 1024;

const ENROL_PATH = '/api/node/enrol';
const RESULT_ROUTE = /^\/api\/node\/runs\/([^/?]+)\/result$/;

function tooLarge(limit: number): FedhubError {
  return new FedhubError('FH_ERR_PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`, {
    limit,
  });
}

/** A pass-through stream that fails once more than `limit` bytes went through. */
function capped(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(Object.assign(tooLarge(limit), { statusCode: 413 }));
      else done(null, chunk);
    },
  });
}

/**
 * Installs the guard on the node protocol plugin (its hooks see only that plugin's routes). `maxPerMinute`
 * is the budget per client address, shared by all node routes but enrolment (which has its own).
 */
export function installNodeRequestGuard(
  app: FastifyInstance,
  { ctx, auth }: ModuleDeps,
  maxPerMinute: number,
): void {
  const limit = app.rateLimit({
    hook: 'onRequest',
    max: maxPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => `node-route:${req.ip}`,
    allowList: (req: FastifyRequest) => req.url.split('?')[0] === ENROL_PATH,
  });
  const bigBody = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', limit);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (path === ENROL_PATH) return;
    const node = await auth.node(req);
    const m = RESULT_ROUTE.exec(path);
    if (!m) return;
    const run = await ctx.db.db
      .selectFrom('runs')
      .select('id')
      .where('id', '=', decodeURIComponent(m[1]!))
      .where('node_id', '=', node.id)
      .where('status', '=', 'claimed')
      .executeTakeFirst();
    if (run) bigBody.add(req);
  });
  app.addHook('preParsing', async (req, _reply, payload) => {
    if (bigBody.has(req)) return payload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > NODE_SMALL_BODY_LIMIT) throw tooLarge(NODE_SMALL_BODY_LIMIT);
    return payload.pipe(capped(NODE_SMALL_BODY_LIMIT));
  });
}
