/**
 * ONNX models in the registry. Registration decodes and checks the file as untrusted data (size cap,
 * external data, operator domains), reads its signature, then loads it once in onnxruntime (in a runner
 * process with the runtime's limits) so an operator the runtime lacks is refused here rather than at every
 * node. The file is stored with its sha256; (name, version) is immutable: a new file is a new version.
 * Nodes of the model's collaboration fetch it by digest.
 */
import { randomUUID } from 'node:crypto';
import { signMessage } from '@fedhub/crypto';
import { fromJson, type Schema, sql, toJson, withTransaction } from '@fedhub/db';
import { inspectOnnxModel, onnxLimits, openOnnxSession, sha256Hex } from '@fedhub/inference';
import {
  canonicalJson,
  FedhubError,
  type Json,
  type OnnxModel,
  OnnxModelCardSchema,
  type RegisterOnnxModelRequest,
  RegisterOnnxModelRequestSchema,
} from '@fedhub/protocol';
import { requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { NodePrincipal, UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { hubSigningKey } from '../audit/hub-key.js';
import { appendAudit } from '../audit/service.js';
import { buildOnnxValidationReport } from './onnx-report.js';

/** The largest ONNX file the registry takes (nodes may set a lower cap of their own). */
export const ONNX_REGISTRY_MAX_BYTES = 32 * 1024 * 1024;
/** The registration route's body limit: the file in base64 plus the card. */
export const ONNX_REGISTER_BODY_LIMIT = Math.ceil((ONNX_REGISTRY_MAX_BYTES * 4) / 3) + 256 * 1024;

const LIMITS = onnxLimits({ maxModelBytes: ONNX_REGISTRY_MAX_BYTES, loadTimeoutMs: 60_000 });

function out(r: Schema['onnx_models']): OnnxModel {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    collaborationId: r.collaboration_id,
    sha256: r.sha256,
    signature: fromJson(r.signature) as OnnxModel['signature'],
    card: OnnxModelCardSchema.parse(fromJson(r.card)),
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

const COLUMNS = [
  'id',
  'name',
  'version',
  'collaboration_id',
  'sha256',
  'byte_length',
  'signature',
  'card',
  'created_by',
  'created_at',
] as const;

/** Registers an ONNX file as model `name` version `version` in a collaboration the user belongs to. */
export async function registerOnnxModel(
  ctx: HubContext,
  user: UserPrincipal,
  input: RegisterOnnxModelRequest,
): Promise<OnnxModel> {
  const body = RegisterOnnxModelRequestSchema.parse(input);
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), body.collaborationId, 'collaboration');
  requireRole(user, 'researcher');
  const bytes = new Uint8Array(Buffer.from(body.onnx, 'base64'));
  const info = inspectOnnxModel(bytes, LIMITS);
  for (const i of body.card.inputs)
    if (!info.inputs.some((x) => x.name === i.name))
      throw new FedhubError(
        'FH_ERR_MODEL_INPUT_MISMATCH',
        `the card describes input "${i.name}"; the model's inputs are ${info.inputs.map((x) => x.name).join(', ')}`,
        { fields: [{ path: 'body.card.inputs', message: `no input "${i.name}"` }] },
      );
  if (!info.outputs.some((x) => x.name === body.card.output.name))
    throw new FedhubError(
      'FH_ERR_MODEL_INPUT_MISMATCH',
      `the card describes output "${body.card.output.name}"; the model's outputs are ${info.outputs.map((x) => x.name).join(', ')}`,
      { fields: [{ path: 'body.card.output.name', message: 'no such output' }] },
    );
  // onnxruntime must be able to load it (operators it lacks, inconsistent graphs): refused now, not at nodes
  (await openOnnxSession(bytes, LIMITS)).close();
  const sha256 = sha256Hex(bytes);
  return withTransaction(ctx.db, async (trx) => {
    // names belong to collaborations: another collaboration's use of a name is neither refused nor told
    const same = await trx
      .selectFrom('onnx_models')
      .select('sha256')
      .where('collaboration_id', '=', body.collaborationId)
      .where('name', '=', body.name)
      .where('version', '=', body.version)
      .executeTakeFirst();
    if (same)
      throw new FedhubError(
        'FH_ERR_ALREADY_EXISTS',
        same.sha256 === sha256
          ? `${body.name}@${body.version} is already registered with this file`
          : `${body.name}@${body.version} is registered with another file: a new file is a new version`,
      );
    const row: Schema['onnx_models'] = {
      id: randomUUID(),
      name: body.name,
      version: body.version,
      collaboration_id: body.collaborationId,
      sha256,
      byte_length: bytes.byteLength,
      onnx: body.onnx,
      signature: toJson(info as unknown as Json),
      card: toJson(body.card as unknown as Json),
      created_by: user.id,
      created_at: ctx.nowIso(),
    };
    await trx.insertInto('onnx_models').values(row).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'model.onnx-registered',
      object: `onnx-model:${row.id}`,
      details: {
        name: row.name,
        version: row.version,
        sha256,
        bytes: row.byte_length,
        collaborationId: row.collaboration_id,
      },
    });
    return out(row);
  });
}

/** The ONNX models of the user's collaborations (all for a hub-admin), by name then registration time. */
export async function listOnnxModels(ctx: HubContext, user: UserPrincipal): Promise<OnnxModel[]> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  const rows = await ctx.db.db
    .selectFrom('onnx_models')
    .select(COLUMNS)
    .orderBy('name')
    .orderBy('created_at')
    .execute();
  return rows.filter((r) => vis.has(r.collaboration_id)).map((r) => out({ ...r, onnx: '' }));
}

/** One visible ONNX model by name and version (404 otherwise). */
export async function getOnnxModel(
  ctx: HubContext,
  user: UserPrincipal,
  name: string,
  version: string,
): Promise<OnnxModel> {
  const row = await visibleRow(ctx, user, name, version);
  return out({ ...row, onnx: '' });
}

/** The file of a model of the node's collaboration, by digest (404 for any other). */
export async function onnxFileForNode(
  ctx: HubContext,
  node: NodePrincipal,
  sha256: string,
): Promise<{ sha256: string; onnx: string }> {
  const row = await ctx.db.db
    .selectFrom('onnx_models')
    .select(['sha256', 'onnx'])
    .where('sha256', '=', sha256)
    .where('collaboration_id', '=', node.collaborationId)
    .executeTakeFirst();
  if (!row) throw new FedhubError('FH_ERR_NOT_FOUND', 'no ONNX model with this digest in your collaboration');
  return { sha256: row.sha256, onnx: row.onnx };
}

async function modelRow(ctx: HubContext, user: UserPrincipal, name: string, version: string) {
  return visibleRow(ctx, user, name, version);
}

/**
 * Attaches a completed `validate` (tabular) or `validate-imaging` (image) task to an ONNX model for its report; refused unless the task ran this
 * model's file (its digest in the task's parameters).
 */
export async function attachOnnxValidation(
  ctx: HubContext,
  user: UserPrincipal,
  name: string,
  version: string,
  taskId: string,
): Promise<{ modelId: string; taskId: string; studyId: string }> {
  const m = await modelRow(ctx, user, name, version);
  requireRole(user, 'researcher');
  const task = await ctx.db.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), task?.collaboration_id, 'task');
  if (task!.algorithm !== 'validate' && task!.algorithm !== 'validate-imaging')
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `task ${taskId} ran ${task!.algorithm}, not validate or validate-imaging`,
    );
  if (task!.status !== 'completed')
    throw new FedhubError('FH_ERR_CONFLICT', `task ${taskId} is ${task!.status}; attach it once completed`);
  const onnx = ((fromJson<Json>(task!.params) as { model?: { onnx?: unknown } } | null)?.model?.onnx ??
    null) as unknown;
  if (onnx !== `sha256:${m.sha256}`)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `task ${taskId} did not run ${name}@${version} (another model or file)`,
    );
  return withTransaction(ctx.db, async (trx) => {
    const already = await trx
      .selectFrom('onnx_model_validations')
      .select('id')
      .where('onnx_model_id', '=', m.id)
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    if (already)
      throw new FedhubError(
        'FH_ERR_ALREADY_EXISTS',
        `task ${taskId} is already attached to ${name}@${version}`,
      );
    const at = ctx.nowIso();
    await trx
      .insertInto('onnx_model_validations')
      .values({
        id: randomUUID(),
        onnx_model_id: m.id,
        task_id: taskId,
        study_id: task!.study_id,
        created_by: user.id,
        created_at: at,
      })
      .execute();
    const pooled = ((fromJson<Json>(task!.result) as { pooled?: Record<string, Json> } | null)?.pooled ??
      {}) as Record<string, Json>;
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `user:${user.id}`,
      action: 'model.onnx-validated',
      object: `onnx-model:${m.id}`,
      details: { name, version, sha256: m.sha256, taskId, studyId: task!.study_id, auc: pooled.auc ?? null },
    });
    return { modelId: m.id, taskId, studyId: task!.study_id };
  });
}

/** The model's validation report, signed by the hub's Ed25519 key; issuing it is audited. */
export async function onnxValidationReport(
  ctx: HubContext,
  user: UserPrincipal,
  name: string,
  version: string,
): Promise<Record<string, Json>> {
  const m = await modelRow(ctx, user, name, version);
  const rows = await ctx.db.db
    .selectFrom('onnx_model_validations as v')
    .innerJoin('tasks as t', 't.id', 'v.task_id')
    .innerJoin('studies as s', 's.id', 'v.study_id')
    .select(['v.task_id', 'v.study_id', 'v.created_at', 't.params', 't.result', 's.title'])
    .where('v.onnx_model_id', '=', m.id)
    .orderBy('v.created_at')
    .execute();
  const issuedAt = ctx.nowIso();
  const body = buildOnnxValidationReport(
    out({ ...m, onnx: '' }),
    rows.map((r) => ({
      taskId: r.task_id,
      studyId: r.study_id,
      studyTitle: r.title,
      attachedAt: r.created_at,
      params: (fromJson<Json>(r.params) ?? {}) as Record<string, Json>,
      result: (fromJson<Json>(r.result) ?? {}) as Record<string, Json>,
    })),
    issuedAt,
  );
  const key = await hubSigningKey(ctx.db, issuedAt);
  const canonical = canonicalJson(body as Json);
  const signature = {
    algorithm: 'Ed25519',
    publicKey: key.publicKey,
    value: signMessage(key.privateKey, canonical),
  };
  await withTransaction(ctx.db, (trx) =>
    appendAudit(ctx.db.dialect, trx, {
      at: issuedAt,
      actor: `user:${user.id}`,
      action: 'model.onnx-report-issued',
      object: `onnx-model:${m.id}`,
      details: {
        name,
        version,
        sha256: m.sha256,
        reportSha256: sha256Hex(new TextEncoder().encode(canonical)),
        validations: rows.length,
      },
    }),
  );
  return { ...body, signature };
}

/**
 * The one row of `name@version` among the reader's collaborations: names belong to collaborations, so
 * another collaboration's model of the same name is not even confirmed to exist (404 alike); a reader of
 * several collaborations that each hold the name gets 409 pointing to the list.
 */
async function visibleRow(ctx: HubContext, user: UserPrincipal, name: string, version: string) {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  let q = ctx.db.db
    .selectFrom('onnx_models')
    .select(COLUMNS)
    .where('name', '=', name)
    .where('version', '=', version);
  if (!vis.all)
    q = vis.ids.size === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('collaboration_id', 'in', [...vis.ids]);
  const rows = await q.orderBy('collaboration_id').execute();
  if (rows.length > 1)
    throw new FedhubError(
      'FH_ERR_CONFLICT',
      `ONNX model ${name}@${version} is registered in ${rows.length} of the collaborations you can read (names belong to collaborations)`,
      { collaborations: rows.map((r) => r.collaboration_id) },
    );
  requireVisible(vis, rows[0]?.collaboration_id, `ONNX model ${name}@${version}`);
  return rows[0]!;
}
