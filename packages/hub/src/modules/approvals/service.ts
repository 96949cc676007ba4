/**
 * Approvals as the hub sees them. The node decides; the hub records what nodes hold for approval (so the
 * dashboard can show it and the run is neither re-queued as if the node died nor counted as a refusal), and
 * relays decisions that a node-admin of the node's organisation records here, signed by the hub key so the
 * node can check who decided before it applies them to its own store.
 */
import { randomUUID } from 'node:crypto';
import { signMessage } from '@fedhub/crypto';
import { fromJson, toJson } from '@fedhub/db';
import {
  type AdminStatement,
  type ApprovalDecision,
  type ApprovalDecisionRequest,
  type ApprovalState,
  approvalSigningString,
  FedhubError,
  type Json,
  type PendingApproval,
  type PendingApprovalRequest,
} from '@fedhub/protocol';
import { requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { NodePrincipal, UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { withEffects } from '../../core/effects.js';
import { hubSigningKey } from '../audit/hub-key.js';
import { appendAudit } from '../audit/service.js';
import { bumpRevision, runUpdatedEvent } from '../tasks/task-events.js';

/** The node holds its claimed run until its admin decides: no lease runs meanwhile. */
export async function reportPending(
  ctx: HubContext,
  node: NodePrincipal,
  runId: string,
  body: PendingApprovalRequest,
): Promise<{ ok: boolean }> {
  return withEffects(ctx, async (trx, fx) => {
    const run = await trx
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .where('node_id', '=', node.id)
      .executeTakeFirst();
    if (!run) throw new FedhubError('FH_ERR_NOT_FOUND', 'run not found');
    if (run.status !== 'claimed' || Number(run.attempt) !== body.attempt)
      throw new FedhubError(
        'FH_ERR_STALE_ATTEMPT',
        `attempt ${body.attempt} no longer holds the run (it is ${run.status}, attempt ${run.attempt})`,
        { status: run.status, currentAttempt: Number(run.attempt) },
      );
    const at = ctx.nowIso();
    await trx
      .updateTable('runs')
      .set({ status: 'pending-approval', lease_expires_at: null })
      .where('id', '=', runId)
      .where('attempt', '=', body.attempt)
      .where('status', '=', 'claimed')
      .execute();
    await trx.deleteFrom('approval_requests').where('run_id', '=', runId).execute();
    await trx
      .insertInto('approval_requests')
      .values({
        run_id: runId,
        node_id: node.id,
        task_id: run.task_id,
        study_id: (
          await trx
            .selectFrom('tasks')
            .select('study_id')
            .where('id', '=', run.task_id)
            .executeTakeFirstOrThrow()
        ).study_id,
        algorithm: body.algorithm,
        version: body.version,
        digest: body.digest,
        variables: toJson(body.variables),
        reason: body.reason,
        created_at: at,
        settled_at: null,
      })
      .execute();
    await bumpRevision(trx, run.task_id);
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `node:${node.id}`,
      action: 'run.pending-approval',
      object: `run:${runId}`,
      details: { taskId: run.task_id, algorithm: `${body.algorithm}@${body.version}`, digest: body.digest },
    });
    fx.events.push(
      runUpdatedEvent({ ...run, status: 'pending-approval', lease_expires_at: null }, node.name, at),
    );
    return { ok: true };
  });
}

/** The node's admin has decided: the run goes back to the queue and the node claims it again. */
export async function releasePending(
  ctx: HubContext,
  node: NodePrincipal,
  runId: string,
  attempt: number,
): Promise<{ ok: boolean }> {
  return withEffects(ctx, async (trx, fx) => {
    const run = await trx
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .where('node_id', '=', node.id)
      .executeTakeFirst();
    if (!run) throw new FedhubError('FH_ERR_NOT_FOUND', 'run not found');
    const at = ctx.nowIso();
    await trx
      .updateTable('approval_requests')
      .set({ settled_at: at })
      .where('run_id', '=', runId)
      .where('settled_at', 'is', null)
      .execute();
    // a cancelled task or a superseded attempt: nothing to release, and the node forgets the run
    if (run.status !== 'pending-approval' || Number(run.attempt) !== attempt) return { ok: false };
    await trx
      .updateTable('runs')
      .set({ status: 'queued' })
      .where('id', '=', runId)
      .where('status', '=', 'pending-approval')
      .execute();
    await bumpRevision(trx, run.task_id);
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `node:${node.id}`,
      action: 'run.approval-settled',
      object: `run:${runId}`,
      details: { taskId: run.task_id, attempt },
    });
    fx.events.push(runUpdatedEvent({ ...run, status: 'queued' }, node.name, at));
    fx.nodes.add(node.id);
    return { ok: true };
  });
}

function decisionOut(r: {
  id: string;
  node_id: string;
  study_id: string;
  decision: string;
  algorithm: string | null;
  version: string | null;
  digest: string | null;
  reason: string | null;
  decided_by: string;
  created_at: string;
  signature: string;
  ack: string | null;
  admin_signature?: string | null | undefined;
}): ApprovalDecision {
  return {
    id: r.id,
    nodeId: r.node_id,
    studyId: r.study_id,
    decision: r.decision as ApprovalDecision['decision'],
    algorithm: r.algorithm,
    version: r.version,
    digest: r.digest,
    reason: r.reason,
    decidedBy: fromJson<ApprovalDecision['decidedBy']>(r.decided_by)!,
    createdAt: r.created_at,
    signature: r.signature,
    adminSignature: fromJson<AdminStatement>(r.admin_signature ?? null) ?? null,
    ack: fromJson<ApprovalDecision['ack']>(r.ack),
  };
}

/**
 * Records a decision for one node. Only a node-admin of the node's own organisation may decide: a hospital
 * is the controller of its data, so not even a hub-admin decides for it.
 */
export async function decide(
  ctx: HubContext,
  user: UserPrincipal,
  nodeId: string,
  body: ApprovalDecisionRequest,
): Promise<ApprovalDecision> {
  const node = await ctx.db.db.selectFrom('nodes').selectAll().where('id', '=', nodeId).executeTakeFirst();
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), node?.collaboration_id, 'node');
  if (!user.roles.includes('node-admin') || user.organisationId !== node!.organisation_id)
    throw new FedhubError(
      'FH_ERR_FORBIDDEN',
      `only a node-admin of the organisation that runs node "${node!.name}" may decide its approvals`,
    );
  const study = await ctx.db.db
    .selectFrom('studies')
    .select(['id', 'collaboration_id'])
    .where('id', '=', body.studyId)
    .executeTakeFirst();
  if (!study || study.collaboration_id !== node!.collaboration_id)
    throw new FedhubError('FH_ERR_NOT_FOUND', 'study not found in the collaboration of this node');
  let version: string | null = null;
  let digest: string | null = null;
  if (body.algorithm) {
    const alg = ctx.algorithms.get(body.algorithm, body.version);
    if (!alg)
      throw new FedhubError(
        'FH_ERR_UNKNOWN_ALGORITHM',
        `no algorithm ${body.algorithm}${body.version ? `@${body.version}` : ''}`,
      );
    version = alg.version;
    digest = alg.digest;
  } else if (body.version)
    throw new FedhubError('FH_ERR_VALIDATION', 'version needs an algorithm', {
      fields: [{ path: 'body.version', message: 'given without algorithm' }],
    });
  const key = await hubSigningKey(ctx.db, ctx.nowIso());
  const unsigned = {
    id: randomUUID(),
    nodeId,
    studyId: body.studyId,
    decision: body.decision,
    algorithm: body.algorithm ?? null,
    version,
    digest,
    reason: body.reason ?? null,
    decidedBy: {
      userId: user.id,
      username: user.username,
      organisationId: user.organisationId,
      roles: [...user.roles],
    },
    createdAt: ctx.nowIso(),
  };
  const decision: ApprovalDecision = {
    ...unsigned,
    signature: signMessage(key.privateKey, approvalSigningString(unsigned)),
    adminSignature: body.adminSignature ?? null,
    ack: null,
  };
  await withEffects(ctx, async (trx) => {
    await trx
      .insertInto('approval_decisions')
      .values({
        id: decision.id,
        node_id: nodeId,
        study_id: decision.studyId,
        decision: decision.decision,
        algorithm: decision.algorithm,
        version: decision.version,
        digest: decision.digest,
        reason: decision.reason,
        decided_by: toJson(decision.decidedBy),
        created_at: decision.createdAt,
        signature: decision.signature,
        ack: null,
        admin_signature: decision.adminSignature ? toJson(decision.adminSignature) : null,
      })
      .execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: decision.createdAt,
      actor: `user:${user.id}`,
      action: 'approval.decided',
      object: `node:${nodeId}`,
      details: {
        decisionId: decision.id,
        studyId: decision.studyId,
        decision: decision.decision,
        ...(decision.algorithm ? { algorithm: `${decision.algorithm}@${decision.version}` } : {}),
        ...(decision.digest ? { digest: decision.digest } : {}),
      },
    });
  });
  return decision;
}

/** Decisions the node has not answered yet, oldest first. */
export async function unackedDecisions(ctx: HubContext, node: NodePrincipal): Promise<ApprovalDecision[]> {
  const rows = await ctx.db.db
    .selectFrom('approval_decisions')
    .selectAll()
    .where('node_id', '=', node.id)
    .where('ack', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(100)
    .execute();
  return rows.map(decisionOut);
}

/** The node answers a relayed decision: applied, or rejected with why. */
export async function ackDecision(
  ctx: HubContext,
  node: NodePrincipal,
  id: string,
  body: { applied: boolean; reason?: string | undefined },
): Promise<{ ok: boolean }> {
  return withEffects(ctx, async (trx) => {
    const at = ctx.nowIso();
    const res = await trx
      .updateTable('approval_decisions')
      .set({ ack: toJson({ applied: body.applied, reason: body.reason ?? null, at }) })
      .where('id', '=', id)
      .where('node_id', '=', node.id)
      .where('ack', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return { ok: false };
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `node:${node.id}`,
      action: 'approval.acknowledged',
      object: `node:${node.id}`,
      details: { decisionId: id, applied: body.applied, ...(body.reason ? { reason: body.reason } : {}) },
    });
    return { ok: true };
  });
}

/** Pending approvals and decisions, of one node or of one study, for the dashboard's inbox and study page. */
export async function approvalState(
  ctx: HubContext,
  user: UserPrincipal,
  scope: { nodeId: string } | { studyId: string },
): Promise<ApprovalState> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  if ('nodeId' in scope) {
    const node = await ctx.db.db
      .selectFrom('nodes')
      .select('collaboration_id')
      .where('id', '=', scope.nodeId)
      .executeTakeFirst();
    requireVisible(vis, node?.collaboration_id, 'node');
  } else {
    const study = await ctx.db.db
      .selectFrom('studies')
      .select('collaboration_id')
      .where('id', '=', scope.studyId)
      .executeTakeFirst();
    requireVisible(vis, study?.collaboration_id, 'study');
  }
  let pendingQ = ctx.db.db
    .selectFrom('approval_requests as a')
    .innerJoin('runs', 'runs.id', 'a.run_id')
    .innerJoin('tasks', 'tasks.id', 'a.task_id')
    .innerJoin('nodes', 'nodes.id', 'a.node_id')
    .innerJoin('studies', 'studies.id', 'a.study_id')
    .leftJoin('users', 'users.id', 'tasks.created_by')
    .select([
      'a.run_id',
      'a.task_id',
      'a.node_id',
      'a.study_id',
      'a.algorithm',
      'a.version',
      'a.digest',
      'a.variables',
      'a.reason',
      'a.created_at',
      'nodes.name as node_name',
      'studies.title as study_title',
      'tasks.params',
      'tasks.created_by',
      'users.username',
    ])
    .where('a.settled_at', 'is', null)
    .where('runs.status', '=', 'pending-approval')
    .orderBy('a.created_at')
    .limit(500);
  let decisionsQ = ctx.db.db
    .selectFrom('approval_decisions')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(200);
  if ('nodeId' in scope) {
    pendingQ = pendingQ.where('a.node_id', '=', scope.nodeId);
    decisionsQ = decisionsQ.where('node_id', '=', scope.nodeId);
  } else {
    pendingQ = pendingQ.where('a.study_id', '=', scope.studyId);
    decisionsQ = decisionsQ.where('study_id', '=', scope.studyId);
  }
  const pending: PendingApproval[] = (await pendingQ.execute()).map((r) => ({
    runId: r.run_id,
    taskId: r.task_id,
    nodeId: r.node_id,
    nodeName: r.node_name,
    studyId: r.study_id,
    studyTitle: r.study_title,
    algorithm: r.algorithm,
    version: r.version,
    digest: r.digest,
    params: fromJson<Json>(r.params) ?? null,
    variables: fromJson<string[]>(r.variables) ?? [],
    reason: r.reason,
    requester: r.username ? { userId: r.created_by, username: r.username } : null,
    since: r.created_at,
  }));
  return { pending, decisions: (await decisionsQ.execute()).map(decisionOut) };
}
