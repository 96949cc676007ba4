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
export const JsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonSchema),
    z.record(z.string(), JsonSchema),
  ]),
);
