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
 * Depth of `value` (0 for a scalar) and the largest key count of its objects, walked without recursion;
 * stops early once `limit` depth is passed.
 */
export function jsonShape(
  value: unknown,
  limit = Number.POSITIVE_INFINITY,
): { depth: number; maxKeys: number } {
  let deepest = 0;
  let maxKeys = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) break;
    const children = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v) && children.length > maxKeys) maxKeys = children.length;
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return { depth: deepest, maxKeys };
}

/**
 * Refuses, with 400 FH_ERR_VALIDATION and before validation, bodies nested deeper than MAX_BODY_DEPTH or
 * holding an object with more than MAX_OBJECT_KEYS keys.
 */
export function installBodyDepthLimit(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.body === null || typeof req.body !== 'object') return;
    const shape = jsonShape(req.body, MAX_BODY_DEPTH);
    const problem =
      shape.depth > MAX_BODY_DEPTH
        ? `nested deeper than ${MAX_BODY_DEPTH} levels`
        : shape.maxKeys > MAX_OBJECT_KEYS
          ? `an object has ${shape.maxKeys} keys (at most ${MAX_OBJECT_KEYS})`
          : undefined;
    if (problem)
      throw new FedhubError('FH_ERR_VALIDATION', `request body refused: ${problem}`, {
        fields: [{ path: 'body', message: problem }],
      });
  });
}
