import { randomUUID } from 'node:crypto';
import { type Schema, withTransaction } from '@fedhub/db';
import { type Collaboration, FedhubError } from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import { requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { collaborationOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';

async function withOrganisations(
  db: Kysely<Schema>,
  rows: Schema['collaborations'][],
): Promise<Collaboration[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('collaboration_organisations')
    .selectAll()
    .where(
      'collaboration_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('organisation_id')
    .execute();
  return rows.map((r) =>
    collaborationOut(
      r,
      links.filter((l) => l.collaboration_id === r.id).map((l) => l.organisation_id),
    ),
  );
}

/** Collaborations the user may see. */
export async function listCollaborations(ctx: HubContext, user: UserPrincipal): Promise<Collaboration[]> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  if (!vis.all && vis.ids.size === 0) return [];
  let q = ctx.db.db.selectFrom('collaborations').selectAll().orderBy('created_at').orderBy('name');
  if (!vis.all) q = q.where('id', 'in', [...vis.ids]);
  return withOrganisations(ctx.db.db, await q.execute());
}

/** One visible collaboration; 404 for absent and invisible alike. */
export async function getCollaboration(
  ctx: HubContext,
  user: UserPrincipal,
  id: string,
  db: Kysely<Schema> = ctx.db.db,
): Promise<Collaboration> {
  requireVisible(await visibleCollaborationIds(db, user), id, 'collaboration');
  const row = await db.selectFrom('collaborations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new FedhubError('FH_ERR_NOT_FOUND', 'collaboration not found');
  return (await withOrganisations(db, [row]))[0]!;
}

async function requireOrganisations(db: Kysely<Schema>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set(
    (await db.selectFrom('organisations').select('id').where('id', 'in', ids).execute()).map((r) => r.id),
  );
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new FedhubError('FH_ERR_NOT_FOUND', `organisation ${missing.join(', ')} not found`, { missing });
}

/** Creates a collaboration of existing organisations (hub-admin). */
export async function createCollaboration(
  ctx: HubContext,
  user: UserPrincipal,
  body: { name: string; description?: string | undefined; organisationIds: string[] },
): Promise<Collaboration> {
  requireRole(user);
  const orgIds = [...new Set(body.organisationIds)];
  return withTransaction(ctx.db, async (trx) => {
    await requireOrganisations(trx, orgIds);
    const clash = await trx
      .selectFrom('collaborations')
      .select('id')
      .where('name', '=', body.name)
      .executeTakeFirst();
    if (clash) throw new FedhubError('FH_ERR_ALREADY_EXISTS', `a collaboration named "${body.name}" exists`);
    const row: Schema['collaborations'] = {
      id: randomUUID(),
      name: body.name,
      description: body.description ?? null,
      created_at: ctx.nowIso(),
    };
    await trx.insertInto('collaborations').values(row).execute();
    if (orgIds.length > 0)
      await trx
        .insertInto('collaboration_organisations')
        .values(orgIds.map((o) => ({ collaboration_id: row.id, organisation_id: o })))
        .execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'collaboration.created',
      object: `collaboration:${row.id}`,
      details: { name: row.name, organisationIds: orgIds },
    });
    return (await withOrganisations(trx, [row]))[0]!;
  });
}

/** Adds an organisation to a collaboration (hub-admin); adding a member again changes nothing. */
export async function addOrganisation(
  ctx: HubContext,
  user: UserPrincipal,
  collaborationId: string,
  organisationId: string,
): Promise<Collaboration> {
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), collaborationId, 'collaboration');
  requireRole(user);
  return withTransaction(ctx.db, async (trx) => {
    const collab = await trx
      .selectFrom('collaborations')
      .select('id')
      .where('id', '=', collaborationId)
      .executeTakeFirst();
    if (!collab) throw new FedhubError('FH_ERR_NOT_FOUND', 'collaboration not found');
    await requireOrganisations(trx, [organisationId]);
    const present = await trx
      .selectFrom('collaboration_organisations')
      .select('organisation_id')
      .where('collaboration_id', '=', collaborationId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    if (!present) {
      await trx
        .insertInto('collaboration_organisations')
        .values({ collaboration_id: collaborationId, organisation_id: organisationId })
        .execute();
      await appendAudit(ctx.db.dialect, trx, {
        at: ctx.nowIso(),
        actor: `user:${user.id}`,
        action: 'collaboration.organisation-added',
        object: `collaboration:${collaborationId}`,
        details: { organisationId },
      });
    }
    return getCollaboration(ctx, user, collaborationId, trx);
  });
}
