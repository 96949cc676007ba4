/**
 * Authorisation in one place. Every object read goes through {@link visibleCollaborationIds}: a user sees
 * the collaborations whose organisations include their own (a hub-admin sees all), and anything outside
 * them is answered 404, never 403, so ids of other collaborations' objects reveal nothing.
 */
import type { Schema } from '@fedhub/db';
import { FedhubError, type Role } from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import type { UserPrincipal } from './principal.js';

/** The collaborations a user may see. */
export interface Visibility {
  /** True for hub-admins: every collaboration. */
  readonly all: boolean;
  /** The visible ids when not `all`. */
  readonly ids: ReadonlySet<string>;
  has(collaborationId: string): boolean;
}

/** The collaborations `user` may see. */
export async function visibleCollaborationIds(db: Kysely<Schema>, user: UserPrincipal): Promise<Visibility> {
  if (user.roles.includes('hub-admin')) return { all: true, ids: new Set(), has: () => true };
  const rows = await db
    .selectFrom('collaboration_organisations')
    .select('collaboration_id')
    .where('organisation_id', '=', user.organisationId)
    .execute();
  const ids = new Set(rows.map((r) => r.collaboration_id));
  return { all: false, ids, has: (id) => ids.has(id) };
}

/** Throws 404 `what` unless the collaboration is visible (the one answer for "absent" and "not yours"). */
export function requireVisible(vis: Visibility, collaborationId: string | undefined, what: string): void {
  if (collaborationId === undefined || !vis.has(collaborationId))
    throw new FedhubError('FH_ERR_NOT_FOUND', `${what} not found`);
}

/** True when the user is a hub-admin or holds one of `roles`. */
export function hasRole(user: UserPrincipal, ...roles: Role[]): boolean {
  return user.roles.includes('hub-admin') || roles.some((r) => user.roles.includes(r));
}

/** Throws 403 unless the user is a hub-admin or holds one of `roles`. */
export function requireRole(user: UserPrincipal, ...roles: Role[]): void {
  if (!hasRole(user, ...roles))
    throw new FedhubError('FH_ERR_FORBIDDEN', `this needs the role ${['hub-admin', ...roles].join(' or ')}`);
}
