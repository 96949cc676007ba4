import { randomUUID } from 'node:crypto';
import { type Schema, withTransaction } from '@fedhub/db';
import { FedhubError, type Study } from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import { requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { studyOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';

async function withNodes(db: Kysely<Schema>, rows: Schema['studies'][]): Promise<Study[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('study_nodes')
    .innerJoin('nodes', 'nodes.id', 'study_nodes.node_id')
    .select(['study_nodes.study_id', 'study_nodes.node_id'])
    .where(
      'study_nodes.study_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('nodes.created_at')
    .orderBy('nodes.name')
    .execute();
  return rows.map((r) =>
    studyOut(
      r,
      links.filter((l) => l.study_id === r.id).map((l) => l.node_id),
    ),
  );
}

/** Studies of the visible collaborations, or of one (404 when it is not visible). */
export async function listStudies(
  ctx: HubContext,
  user: UserPrincipal,
  collaborationId: string | undefined,
): Promise<Study[]> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  let q = ctx.db.db.selectFrom('studies').selectAll().orderBy('created_at');
  if (collaborationId !== undefined) {
    requireVisible(vis, collaborationId, 'collaboration');
    q = q.where('collaboration_id', '=', collaborationId);
  } else if (!vis.all) {
    if (vis.ids.size === 0) return [];
    q = q.where('collaboration_id', 'in', [...vis.ids]);
  }
  return withNodes(ctx.db.db, await q.execute());
}

/** One study of a visible collaboration. */
export async function getStudy(
  ctx: HubContext,
  user: UserPrincipal,
  id: string,
  db: Kysely<Schema> = ctx.db.db,
): Promise<Study> {
  const row = await db.selectFrom('studies').selectAll().where('id', '=', id).executeTakeFirst();
  requireVisible(await visibleCollaborationIds(db, user), row?.collaboration_id, 'study');
  return (await withNodes(db, [row!]))[0]!;
}

/**
 * Creates a study in a visible collaboration (researcher or hub-admin). Its nodes default to every node
 * of the collaboration; each one given must belong to it.
 */
export async function createStudy(
  ctx: HubContext,
  user: UserPrincipal,
  body: { collaborationId: string; title: string; purpose: string; nodeIds?: string[] | undefined },
): Promise<Study> {
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), body.collaborationId, 'collaboration');
  requireRole(user, 'researcher');
  return withTransaction(ctx.db, async (trx) => {
    const collabNodes = (
      await trx
        .selectFrom('nodes')
        .select('id')
        .where('collaboration_id', '=', body.collaborationId)
        .orderBy('created_at')
        .execute()
    ).map((r) => r.id);
    const nodeIds = body.nodeIds ? [...new Set(body.nodeIds)] : collabNodes;
    const foreign = nodeIds.filter((id) => !collabNodes.includes(id));
    if (foreign.length > 0)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `node ${foreign.join(', ')} is not a node of collaboration ${body.collaborationId}`,
        { fields: [{ path: 'body.nodeIds', message: 'not a node of the collaboration' }], nodeIds: foreign },
      );
    const row: Schema['studies'] = {
      id: randomUUID(),
      collaboration_id: body.collaborationId,
      title: body.title,
      purpose: body.purpose,
      created_by: user.id,
      created_at: ctx.nowIso(),
    };
    await trx.insertInto('studies').values(row).execute();
    if (nodeIds.length > 0)
      await trx
        .insertInto('study_nodes')
        .values(nodeIds.map((n) => ({ study_id: row.id, node_id: n })))
        .execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'study.created',
      object: `study:${row.id}`,
      details: { title: row.title, collaborationId: row.collaboration_id, nodeIds },
    });
    return studyOut(row, nodeIds);
  });
}
