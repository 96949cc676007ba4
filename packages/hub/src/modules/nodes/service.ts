import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '@fedhub/crypto';
import { isoTime, type Schema, toBool, toJson, withTransaction } from '@fedhub/db';
import { FedhubError, type HubNode } from '@fedhub/protocol';
import { hasRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { nodeOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';
import { TOKEN_PREFIX } from '../auth/tokens.js';

/** How long a one-time enrolment token stays valid, ms. */
export const ENROLMENT_TTL_MS = 7 * 86_400_000;

function out(ctx: HubContext, r: Schema['nodes']): HubNode {
  return nodeOut(r, ctx.clock.now(), ctx.config.nodeOnlineWindowMs);
}

/** Nodes of the visible collaborations, or of one (404 when it is not visible). */
export async function listNodes(
  ctx: HubContext,
  user: UserPrincipal,
  collaborationId: string | undefined,
): Promise<HubNode[]> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  let q = ctx.db.db.selectFrom('nodes').selectAll().orderBy('created_at').orderBy('name');
  if (collaborationId !== undefined) {
    requireVisible(vis, collaborationId, 'collaboration');
    q = q.where('collaboration_id', '=', collaborationId);
  } else if (!vis.all) {
    if (vis.ids.size === 0) return [];
    q = q.where('collaboration_id', 'in', [...vis.ids]);
  }
  return (await q.execute()).map((r) => out(ctx, r));
}

/** One node of a visible collaboration. */
export async function getNode(ctx: HubContext, user: UserPrincipal, id: string): Promise<HubNode> {
  const row = await ctx.db.db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), row?.collaboration_id, 'node');
  return out(ctx, row!);
}

/**
 * Registers a node and returns its one-time enrolment token (valid 7 days, stored hashed). Allowed to a
 * hub-admin, or to a node-admin for their own organisation; the organisation must be a member.
 */
export async function createNode(
  ctx: HubContext,
  user: UserPrincipal,
  body: { collaborationId: string; organisationId: string; name: string },
): Promise<{ node: HubNode; enrolmentToken: string; enrolmentExpiresAt: string }> {
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), body.collaborationId, 'collaboration');
  const isAdmin = hasRole(user);
  if (!isAdmin && !(user.roles.includes('node-admin') && user.organisationId === body.organisationId))
    throw new FedhubError(
      'FH_ERR_FORBIDDEN',
      "creating a node needs the role hub-admin, or node-admin of the node's organisation",
    );
  const token = randomToken(TOKEN_PREFIX.enrolment);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (trx) => {
    const collab = await trx
      .selectFrom('collaborations')
      .select('id')
      .where('id', '=', body.collaborationId)
      .executeTakeFirst();
    if (!collab) throw new FedhubError('FH_ERR_NOT_FOUND', 'collaboration not found');
    const member = await trx
      .selectFrom('collaboration_organisations')
      .select('organisation_id')
      .where('collaboration_id', '=', body.collaborationId)
      .where('organisation_id', '=', body.organisationId)
      .executeTakeFirst();
    if (!member)
      throw new FedhubError(
        'FH_ERR_CONFLICT',
        `organisation ${body.organisationId} is not a member of collaboration ${body.collaborationId}`,
      );
    const clash = await trx
      .selectFrom('nodes')
      .select('id')
      .where('collaboration_id', '=', body.collaborationId)
      .where('name', '=', body.name)
      .executeTakeFirst();
    if (clash)
      throw new FedhubError(
        'FH_ERR_ALREADY_EXISTS',
        `a node named "${body.name}" exists in this collaboration`,
      );
    const row: Schema['nodes'] = {
      id: randomUUID(),
      name: body.name,
      organisation_id: body.organisationId,
      collaboration_id: body.collaborationId,
      enrolment_token_hash: sha256Hex(token),
      enrolment_expires_at: isoTime(now + ENROLMENT_TTL_MS),
      enrolment_used: toBool(false),
      node_token_hash: null,
      x25519_public_key: null,
      ed25519_public_key: null,
      version: null,
      datasets: toJson([]),
      last_seen_at: null,
      created_at: isoTime(now),
    };
    await trx.insertInto('nodes').values(row).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'node.created',
      object: `node:${row.id}`,
      details: { name: row.name, collaborationId: row.collaboration_id, organisationId: row.organisation_id },
    });
    return { node: out(ctx, row), enrolmentToken: token, enrolmentExpiresAt: row.enrolment_expires_at };
  });
}
