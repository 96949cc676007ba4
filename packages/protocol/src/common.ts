import { z } from 'zod';

/** Opaque object identifier (UUID v4 string). */
export const IdSchema = z.uuid().describe('Object identifier (UUID)');
export type Id = z.infer<typeof IdSchema>;

/** ISO-8601 timestamp in UTC, as produced by `Date.prototype.toISOString()`. */
export const TimestampSchema = z.iso.datetime().describe('ISO-8601 UTC timestamp');

/** A short human name: organisation, collaboration, node, dataset. */
export const NameSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'()&-]*$/u, "letters, digits, spaces and . _ ' ( ) & - only");

/** A machine name: dataset, column, algorithm (lower-case identifier). */
export const SlugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, _ and - only, starting with a letter');

export const IdParamsSchema = z.object({ id: IdSchema });

export const ROLES = ['hub-admin', 'researcher', 'node-admin', 'auditor'] as const;
/** What a user may do: hub-admin runs the hub; researchers run analyses; node-admins govern a node; auditors read the audit trail. */
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** A JSON value (what parameters and results are made of). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Deepest nesting of arrays and objects a {@link Json} value may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` is a JSON value nested at most `maxDepth` levels: strings, finite numbers, booleans,
 * null, arrays and plain objects of those. Walks with an explicit stack (no recursion, linear time), so a
 * hostile body costs what it weighs: a recursive zod union spent about 2.7 s per MiB of nested arrays
 * here, and could hold a hub's event loop for minutes on one 15 MiB request.
 *
 * @example isJsonValue({ a: [1, 'x', null] }) // true
 */
export function isJsonValue(value: unknown, maxDepth = MAX_JSON_DEPTH): value is Json {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (typeof v !== 'object' || depth >= maxDepth) return false;
    if (Array.isArray(v)) {
      for (const x of v) stack.push([x, depth + 1]);
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const x of Object.values(v)) stack.push([x, depth + 1]);
  }
  return true;
}

/** Any JSON value, checked by {@link isJsonValue} (OpenAPI shows it as an unconstrained value). */
export const JsonSchema: z.ZodType<Json> = z.custom<Json>((v) => isJsonValue(v), {
  message: `expected a JSON value nested at most ${MAX_JSON_DEPTH} levels`,
});
