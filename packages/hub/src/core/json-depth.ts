/**
 * Limits on the shape of a request body. JSON.parse accepts any depth, but the recursive code behind it
 * (schema validation of free-form parameters, canonical JSON for digests) overflows the stack on a body
 * 10,000 levels deep, which would be a 500. No fedhub message needs more than a few levels, nor an object
 * with more than a few hundred keys (long lists are arrays); an object with 100,000 keys is an attack on
 * the validators and the database, refused before it reaches them.
 */
import { FedhubError } from '@fedhub/protocol';
import type { FastifyInstance } from 'fastify';

/** Deepest nesting of objects and arrays accepted in a request body. */
export const MAX_BODY_DEPTH = 64;

/** Most keys accepted in one object of a request body. */
export const MAX_OBJECT_KEYS = 10_000;

/**
 * Most arrays and objects accepted in one request body. Every walk over a body (validation, canonical
 * JSON for the digest, storage) costs per container: 15 MiB of arrays nested 60 deep is 7.5 million of
 * them and held a hub for over a minute even once schema validation was linear. Results are made of
 * long flat arrays of numbers and a few thousand objects at most, far below this.
 */
export const MAX_BODY_CONTAINERS = 200_000;

/**
 * Depth of `value` (0 for a scalar), the largest key count of its objects and its number of containers
 * (arrays and objects), walked without recursion; stops early once `limit` depth or `maxContainers`
 * containers are passed.
 */
export function jsonShape(
  value: unknown,
  limit = Number.POSITIVE_INFINITY,
  maxContainers = Number.POSITIVE_INFINITY,
): { depth: number; maxKeys: number; containers: number } {
  let deepest = 0;
  let maxKeys = 0;
  let containers = 0;
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const d = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    containers++;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit || containers > maxContainers) break;
    const children = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v) && children.length > maxKeys) maxKeys = children.length;
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth);
      }
    }
  }
  return { depth: deepest, maxKeys, containers };
}

/**
 * Scans JSON text without parsing it: the nesting depth and the number of arrays and objects, skipping
 * strings. Linear in the text and allocation-free (about 20 ms for 15 MiB here), so a body that would
 * cost seconds to parse is refused before `JSON.parse` builds millions of arrays. Returns the problem,
 * or undefined when the text stays within both limits (its syntax is left to the parser).
 */
export function scanJsonText(text: string, maxDepth: number, maxContainers: number): string | undefined {
  let depth = 0;
  let containers = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // jump to the closing quote, past escaped ones
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      containers++;
      if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
      if (containers > maxContainers) return `more than ${maxContainers} arrays and objects`;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/**
 * Replaces the JSON body parser with one that scans the text first ({@link scanJsonText}), then parses
 * with Fastify's own parser (which refuses `__proto__` and `constructor.prototype` keys).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    const problem = scanJsonText(text, MAX_BODY_DEPTH, MAX_BODY_CONTAINERS);
    if (problem) {
      done(
        new FedhubError('FH_ERR_VALIDATION', `request body refused: ${problem}`, {
          fields: [{ path: 'body', message: problem }],
        }),
        undefined,
      );
      return;
    }
    parse(req, text, done);
  });
}

/**
 * Refuses, with 400 FH_ERR_VALIDATION and before validation, bodies nested deeper than MAX_BODY_DEPTH,
 * holding more than MAX_BODY_CONTAINERS arrays and objects, or an object with more than MAX_OBJECT_KEYS keys.
 */
export function installBodyDepthLimit(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.body === null || typeof req.body !== 'object') return;
    const shape = jsonShape(req.body, MAX_BODY_DEPTH, MAX_BODY_CONTAINERS);
    const problem =
      shape.depth > MAX_BODY_DEPTH
        ? `nested deeper than ${MAX_BODY_DEPTH} levels`
        : shape.containers > MAX_BODY_CONTAINERS
          ? `more than ${MAX_BODY_CONTAINERS} arrays and objects`
          : shape.maxKeys > MAX_OBJECT_KEYS
            ? `an object has ${shape.maxKeys} keys (at most ${MAX_OBJECT_KEYS})`
            : undefined;
    if (problem)
      throw new FedhubError('FH_ERR_VALIDATION', `request body refused: ${problem}`, {
        fields: [{ path: 'body', message: problem }],
      });
  });
}
