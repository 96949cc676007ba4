import { randomUUID } from 'node:crypto';
import { lockForUpdate, type Schema, toBool, toJson, withTransaction } from '@fedhub/db';
import {
  type CreateStudyRequestSchema,
  FedhubError,
  type Study,
  type StudyAlgorithm,
  studyDescriptor,
  type UpdateStudyRequestSchema,
} from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { type StudyGovernance, studyOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';
import { refuseDuplicateTitle } from './duplicate-title.js';
import { requireStudyEditor, requireStudyStopper } from './ownership.js';
import { diffStudies } from './study-diff.js';

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

/** The parsed body of a create request (defaults applied by the route's schema). */
export type CreateStudyInput = Omit<z.output<typeof CreateStudyRequestSchema>, 'nodeIds'> & {
  nodeIds?: string[] | undefined;
};

/** Names each algorithm the hub does not know (a typo would otherwise allow nothing, silently). */
function checkAlgorithms(ctx: HubContext, algorithms: StudyAlgorithm[] | null | undefined): void {
  if (!algorithms) return;
  const unknown = algorithms.filter((a) => ctx.algorithms.get(a.name, a.version) === undefined);
  if (unknown.length > 0)
    throw new FedhubError(
      'FH_ERR_UNKNOWN_ALGORITHM',
      `the hub has no algorithm ${unknown.map((a) => (a.version ? `${a.name}@${a.version}` : a.name)).join(', ')}`,
      { fields: [{ path: 'body.algorithms', message: 'unknown algorithm or version' }] },
    );
}

async function checkNodes(
  trx: Kysely<Schema>,
  collaborationId: string,
  nodeIds: string[] | undefined,
): Promise<string[]> {
  const collabNodes = (
    await trx
      .selectFrom('nodes')
      .select('id')
      .where('collaboration_id', '=', collaborationId)
      .orderBy('created_at')
      .execute()
  ).map((r) => r.id);
  const ids = nodeIds ? [...new Set(nodeIds)] : collabNodes;
  const foreign = ids.filter((id) => !collabNodes.includes(id));
  if (foreign.length > 0)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `node ${foreign.join(', ')} is not a node of collaboration ${collaborationId}`,
      { fields: [{ path: 'body.nodeIds', message: 'not a node of the collaboration' }], nodeIds: foreign },
    );
  return ids;
}

function governanceOf(s: StudyGovernance): StudyGovernance {
  return {
    legalBasis: [...new Set(s.legalBasis)],
    legalBasisNote: s.legalBasisNote,
    ethicsApprovalRef: s.ethicsApprovalRef,
    dpiaRef: s.dpiaRef,
    dataCategories: s.dataCategories,
    dataSubjectCategories: s.dataSubjectCategories,
    variables: s.variables,
    algorithms: s.algorithms,
    controller: s.controller,
    dpo: s.dpo,
    recipients: s.recipients,
    retention: s.retention,
    // kept in the governance JSON (no column): absent in studies from before it existed, read as false
    releaseSubgroupAnalyses: s.releaseSubgroupAnalyses === true,
  };
}

/**
 * Creates a study in a visible collaboration (researcher or hub-admin). Its nodes default to every node
 * of the collaboration; each one given must belong to it.
 */
export async function createStudy(
  ctx: HubContext,
  user: UserPrincipal,
  body: CreateStudyInput,
): Promise<Study> {
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), body.collaborationId, 'collaboration');
  requireRole(user, 'researcher');
  checkAlgorithms(ctx, body.algorithms);
  return withTransaction(ctx.db, async (trx) => {
    await refuseDuplicateTitle(trx, body.collaborationId, body.title);
    const nodeIds = await checkNodes(trx, body.collaborationId, body.nodeIds);
    const now = ctx.nowIso();
    const row: Schema['studies'] = {
      id: randomUUID(),
      collaboration_id: body.collaborationId,
      title: body.title,
      purpose: body.purpose,
      created_by: user.id,
      created_at: now,
      status: 'active',
      stopped_at: null,
      updated_at: now,
      min_nodes: body.minNodes,
      starts_at: body.startsAt,
      ends_at: body.endsAt,
      release_per_node_breakdown: toBool(body.releasePerNodeBreakdown),
      governance: toJson(governanceOf(body)),
      owner_organisation_id: user.organisationId,
      owner_user_id: user.id,
    };
    await trx.insertInto('studies').values(row).execute();
    if (nodeIds.length > 0)
      await trx
        .insertInto('study_nodes')
        .values(nodeIds.map((n) => ({ study_id: row.id, node_id: n })))
        .execute();
    const study = studyOut(row, nodeIds);
    await appendAudit(ctx.db.dialect, trx, {
      at: now,
      actor: `user:${user.id}`,
      action: 'study.created',
      object: `study:${row.id}`,
      details: {
        title: row.title,
        collaborationId: row.collaboration_id,
        nodeIds,
        permission: studyDescriptor(study),
        legalBasis: study.legalBasis,
      },
    });
    return study;
  });
}

async function lockedStudy(
  ctx: HubContext,
  user: UserPrincipal,
  trx: Kysely<Schema>,
  id: string,
  allowed: (user: UserPrincipal, study: Study) => void,
): Promise<Study> {
  // two concurrent changes of one study must not both read the same "before" (PostgreSQL row lock;
  // SQLite serialises writers already)
  await lockForUpdate(ctx.db.dialect, trx.selectFrom('studies').select('id').where('id', '=', id)).execute();
  const before = await getStudy(ctx, user, id, trx);
  requireRole(user, 'researcher');
  allowed(user, before);
  if (before.status === 'stopped')
    throw new FedhubError(
      'FH_ERR_STUDY_STOPPED',
      `study ${id} was stopped at ${before.stoppedAt}; it cannot change`,
      {
        studyId: id,
      },
    );
  return before;
}

/**
 * Changes a study (researcher or hub-admin). The audit event names every changed field and, apart, each
 * change that widens what the study permits, so a reviewer finds those without reading diffs.
 */
export async function updateStudy(
  ctx: HubContext,
  user: UserPrincipal,
  id: string,
  body: z.output<typeof UpdateStudyRequestSchema>,
): Promise<Study> {
  checkAlgorithms(ctx, body.algorithms);
  return withTransaction(ctx.db, async (trx) => {
    const before = await lockedStudy(ctx, user, trx, id, requireStudyEditor);
    const nodeIds = body.nodeIds
      ? await checkNodes(trx, before.collaborationId, body.nodeIds)
      : before.nodeIds;
    const defined = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    const after: Study = { ...before, ...defined, nodeIds };
    if (after.startsAt && after.endsAt && after.endsAt < after.startsAt)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `study ${id}: endsAt ${after.endsAt} is before startsAt ${after.startsAt}`,
        {
          fields: [{ path: 'body.endsAt', message: 'before startsAt' }],
        },
      );
    const diff = diffStudies(before, after);
    if (diff.changed.length === 0) return before;
    if (after.title !== before.title)
      await refuseDuplicateTitle(trx, before.collaborationId, after.title, id);
    after.updatedAt = ctx.nowIso();
    await trx
      .updateTable('studies')
      .set({
        title: after.title,
        purpose: after.purpose,
        updated_at: after.updatedAt,
        min_nodes: after.minNodes,
        starts_at: after.startsAt,
        ends_at: after.endsAt,
        release_per_node_breakdown: toBool(after.releasePerNodeBreakdown),
        governance: toJson(governanceOf(after)),
      })
      .where('id', '=', id)
      .execute();
    if (diff.changed.includes('nodeIds')) {
      await trx.deleteFrom('study_nodes').where('study_id', '=', id).execute();
      if (nodeIds.length > 0)
        await trx
          .insertInto('study_nodes')
          .values(nodeIds.map((n) => ({ study_id: id, node_id: n })))
          .execute();
    }
    await appendAudit(ctx.db.dialect, trx, {
      at: after.updatedAt,
      actor: `user:${user.id}`,
      action: 'study.updated',
      object: `study:${id}`,
      details: {
        changed: diff.changed,
        widensPermission: diff.widened.length > 0,
        widened: diff.widened,
        before: Object.fromEntries(diff.changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(diff.changed.map((k) => [k, after[k]])),
      },
    });
    return getStudy(ctx, user, id, trx);
  });
}

/** Stops a study at once: the hub submits nothing more for it, and nodes refuse its runs. Final. */
export async function stopStudy(
  ctx: HubContext,
  user: UserPrincipal,
  id: string,
  body: { reason: string },
): Promise<Study> {
  return withTransaction(ctx.db, async (trx) => {
    await lockedStudy(ctx, user, trx, id, requireStudyStopper);
    const now = ctx.nowIso();
    await trx
      .updateTable('studies')
      .set({ status: 'stopped', stopped_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: now,
      actor: `user:${user.id}`,
      action: 'study.stopped',
      object: `study:${id}`,
      details: { reason: body.reason },
    });
    return getStudy(ctx, user, id, trx);
  });
}
