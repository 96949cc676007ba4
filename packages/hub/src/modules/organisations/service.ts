import { randomUUID } from 'node:crypto';
import { type Schema, withTransaction } from '@fedhub/db';
import { FedhubError, type Organisation } from '@fedhub/protocol';
import { requireRole, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { organisationOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';

/** Organisations the user may see: all for a hub-admin; else their own and those sharing a collaboration. */
export async function listOrganisations(ctx: HubContext, user: UserPrincipal): Promise<Organisation[]> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  let q = ctx.db.db.selectFrom('organisations').selectAll().orderBy('created_at').orderBy('name');
  if (!vis.all) {
    const collabs = [...vis.ids];
    q = q.where((eb) =>
      eb.or([
        eb('id', '=', user.organisationId),
        ...(collabs.length > 0
          ? [
              eb(
                'id',
                'in',
                eb
                  .selectFrom('collaboration_organisations')
                  .select('organisation_id')
                  .where('collaboration_id', 'in', collabs),
              ),
            ]
          : []),
      ]),
    );
  }
  return (await q.execute()).map(organisationOut);
}

/** Creates an organisation (hub-admin); 409 when the name is taken. */
export async function createOrganisation(
  ctx: HubContext,
  user: UserPrincipal,
  body: { name: string; country?: string | undefined },
): Promise<Organisation> {
  requireRole(user);
  return withTransaction(ctx.db, async (trx) => {
    const clash = await trx
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', body.name)
      .executeTakeFirst();
    if (clash) throw new FedhubError('FH_ERR_ALREADY_EXISTS', `an organisation named "${body.name}" exists`);
    const row: Schema['organisations'] = {
      id: randomUUID(),
      name: body.name,
      country: body.country ?? null,
      created_at: ctx.nowIso(),
    };
    await trx.insertInto('organisations').values(row).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'organisation.created',
      object: `organisation:${row.id}`,
      details: { name: row.name },
    });
    return organisationOut(row);
  });
}
