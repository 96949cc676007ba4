/**
 * The model registry: registers a completed glm or coxph task as the next version of a named model, with
 * its provenance (study, task, algorithm name/version/digest, nodes and the hashes of their data
 * dictionaries); versions are never updated. Validation at other centres submits a `validate` task
 * (binomial glm) or a `validate-survival` task (coxph) with the version's frozen coefficients, and its
 * report is attached once the task has completed.
 */
import { randomUUID } from 'node:crypto';
import type { ModelContract } from '@fedhub/algorithms';
import { sha256Hex } from '@fedhub/crypto';
import { fromJson, type Schema, sql, toJson, withTransaction } from '@fedhub/db';
import {
  canonicalJson,
  type DataDictionary,
  FedhubError,
  type Json,
  type ModelKind,
  type ModelValidation,
  type ModelVersion,
  type RegisterModelRequest,
  RegisterModelRequestSchema,
  type Task,
  type ValidateModelRequest,
} from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import { requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { appendAudit } from '../audit/service.js';
import { createTask } from '../tasks/service.js';

/** What a version row's `model` column holds. */
type StoredModel = Omit<
  ModelVersion,
  | 'id'
  | 'name'
  | 'version'
  | 'kind'
  | 'studyId'
  | 'collaborationId'
  | 'taskId'
  | 'createdBy'
  | 'createdAt'
  | 'validations'
>;

type Obj = Record<string, Json>;

function validationOut(r: Schema['model_validations']): ModelValidation {
  const report = fromJson<Json>(r.report) ?? null;
  const nodes = ((report as Obj | null)?.nodes ?? []) as string[];
  return {
    id: r.id,
    taskId: r.task_id,
    studyId: r.study_id,
    nodes,
    report,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

async function versionsOut(db: Kysely<Schema>, rows: Schema['model_versions'][]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const vals = await db
    .selectFrom('model_validations')
    .selectAll()
    .where(
      'model_version_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    version: Number(r.version),
    kind: r.kind as ModelKind,
    studyId: r.study_id,
    collaborationId: r.collaboration_id,
    taskId: r.task_id,
    ...fromJson<StoredModel>(r.model)!,
    createdBy: r.created_by,
    createdAt: r.created_at,
    validations: vals.filter((v) => v.model_version_id === r.id).map(validationOut),
  }));
}

/** Every version of the models of the visible collaborations (or of one name), by name then version. */
export async function listModels(
  ctx: HubContext,
  user: UserPrincipal,
  name?: string,
): Promise<ModelVersion[]> {
  const vis = await visibleCollaborationIds(ctx.db.db, user);
  let q = ctx.db.db.selectFrom('model_versions').selectAll().orderBy('name').orderBy('version');
  if (name !== undefined) q = q.where('name', '=', name);
  if (!vis.all) {
    if (vis.ids.size === 0) return [];
    q = q.where('collaboration_id', 'in', [...vis.ids]);
  }
  const out = await versionsOut(ctx.db.db, await q.execute());
  if (name !== undefined && out.length === 0)
    throw new FedhubError('FH_ERR_NOT_FOUND', `no model named "${name}"`);
  return out;
}

/** One visible version (404 when it does not exist or is not visible). */
export async function getModelVersion(
  ctx: HubContext,
  user: UserPrincipal,
  name: string,
  version: number,
  db: Kysely<Schema> = ctx.db.db,
): Promise<ModelVersion> {
  // names belong to collaborations: only the reader's collaborations are searched (another
  // collaboration's model of the same name is not even confirmed to exist)
  const vis = await visibleCollaborationIds(db, user);
  let q = db.selectFrom('model_versions').selectAll().where('name', '=', name).where('version', '=', version);
  if (!vis.all)
    q = vis.ids.size === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('collaboration_id', 'in', [...vis.ids]);
  const rows = await q.orderBy('collaboration_id').execute();
  if (rows.length > 1)
    throw new FedhubError(
      'FH_ERR_CONFLICT',
      `model ${name} v${version} is registered in ${rows.length} of the collaborations you can read (names belong to collaborations); GET /api/models?name=${encodeURIComponent(name)} lists them with their collaboration`,
      { collaborations: rows.map((r) => r.collaboration_id) },
    );
  requireVisible(vis, rows[0]?.collaboration_id, `model ${name} v${version}`);
  return (await versionsOut(db, [rows[0]!]))[0]!;
}

async function visibleTask(user: UserPrincipal, id: string, db: Kysely<Schema>) {
  const task = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  requireVisible(await visibleCollaborationIds(db, user), task?.collaboration_id, 'task');
  return task!;
}

function rhsOf(formula: string): string {
  const i = formula.indexOf('~');
  return `~ ${(i < 0 ? formula : formula.slice(i + 1)).trim()}`;
}

/** The provenance and content of a completed glm/coxph task, as stored in a version. */
async function modelFromTask(
  db: Kysely<Schema>,
  task: Schema['tasks'],
  body: RegisterModelRequest,
  model: ModelContract,
): Promise<StoredModel> {
  const result = (fromJson<Json>(task.result) ?? {}) as Obj;
  const params = (fromJson<Json>(task.params) ?? {}) as Obj;
  const dataset = typeof params.dataset === 'string' ? params.dataset : null;
  const nodeIds = fromJson<string[]>(task.node_ids) ?? [];
  const nodeRows =
    nodeIds.length === 0
      ? []
      : await db.selectFrom('nodes').select(['id', 'name', 'datasets']).where('id', 'in', nodeIds).execute();
  const nodes = nodeIds.map((id) => {
    const n = nodeRows.find((r) => r.id === id);
    const dict = (fromJson<DataDictionary[]>(n?.datasets ?? null) ?? []).find((d) => d.name === dataset);
    return { id, name: n?.name ?? id, dictionaryHash: dict ? sha256Hex(canonicalJson(dict as Json)) : null };
  });
  const coefficients = ((result.coefficients ?? []) as Obj[]).map((c) => ({
    term: String(c.term),
    estimate: Number(c.estimate),
    stdError: typeof c.stdError === 'number' ? c.stdError : null,
  }));
  const covariance = Array.isArray(result.covariance) ? (result.covariance as number[]) : null;
  // what of the fit a version keeps is the fitting algorithm's to say
  const training = model.training(result);
  return {
    algorithm: { name: task.algorithm, version: task.version, digest: task.digest },
    dataset,
    nodes,
    formula: String(result.formula ?? params.formula ?? ''),
    family: typeof result.family === 'string' ? result.family : null,
    link: typeof result.link === 'string' ? result.link : null,
    ties: typeof result.ties === 'string' ? result.ties : null,
    coefficients,
    covariance,
    training,
    intendedUse: body.intendedUse,
    description: body.description ?? null,
    limitations: body.limitations ?? [],
  };
}

/** Registers a completed glm or coxph task as the next version of `body.name`. */
export async function registerModel(
  ctx: HubContext,
  user: UserPrincipal,
  input: RegisterModelRequest,
): Promise<ModelVersion> {
  const body = RegisterModelRequestSchema.parse(input);
  return withTransaction(ctx.db, async (trx) => {
    // not found before forbidden: a task of another collaboration is not even confirmed to exist
    const task = await visibleTask(user, body.taskId, trx);
    requireRole(user, 'researcher');
    const fitting = ctx.algorithms.get(task.algorithm, task.version)?.model;
    if (!fitting)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `task ${task.id} ran ${task.algorithm}; only a glm or coxph task can be registered as a model`,
        { fields: [{ path: 'body.taskId', message: 'not a glm or coxph task' }] },
      );
    if (task.status !== 'completed')
      throw new FedhubError(
        'FH_ERR_CONFLICT',
        `task ${task.id} is ${task.status}; only a completed task can be registered as a model`,
        { status: task.status },
      );
    // a name is the task's collaboration's own: the same name in another collaboration is another model
    // (and its existence is not told here)
    const existing = await trx
      .selectFrom('model_versions')
      .select(['version'])
      .where('name', '=', body.name)
      .where('collaboration_id', '=', task.collaboration_id)
      .orderBy('version', 'desc')
      .execute();
    const model = await modelFromTask(trx, task, body, fitting);
    const row: Schema['model_versions'] = {
      id: randomUUID(),
      name: body.name,
      version: Number(existing[0]?.version ?? 0) + 1,
      kind: task.algorithm,
      study_id: task.study_id,
      collaboration_id: task.collaboration_id,
      task_id: task.id,
      model: toJson(model as unknown as Json),
      created_by: user.id,
      created_at: ctx.nowIso(),
    };
    await trx.insertInto('model_versions').values(row).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'model.registered',
      object: `model:${row.id}`,
      details: {
        name: row.name,
        version: row.version,
        taskId: task.id,
        studyId: task.study_id,
        algorithm: `${model.algorithm.name}@${model.algorithm.version}`,
        digest: model.algorithm.digest,
      },
    });
    return (await versionsOut(trx, [row]))[0]!;
  });
}

/**
 * The frozen model a validation task carries: a binomial glm's right-hand side (for `validate`), or a
 * coxph model's whole formula, Surv() and strata() included (for `validate-survival`).
 */
export function frozenModel(mv: ModelVersion): { formula: string; coefficients: Record<string, number> } {
  return {
    formula: mv.kind === 'coxph' ? mv.formula : rhsOf(mv.formula),
    coefficients: Object.fromEntries(mv.coefficients.map((c) => [c.term, c.estimate])),
  };
}

/**
 * The algorithm that validates a version across centres, as the fitting algorithm says (AUC and
 * calibration for a binomial glm, Harrell's C for a coxph model).
 */
function validationAlgorithm(ctx: HubContext, mv: ModelVersion): string {
  const by = ctx.algorithms.get(mv.kind)?.model?.validatedBy(mv.family) ?? null;
  if (by !== null) return by;
  throw new FedhubError(
    'FH_ERR_VALIDATION',
    `model ${mv.name} v${mv.version} is a ${mv.kind}${mv.family ? ` (${mv.family})` : ''} model; validation across centres needs a binomial glm (AUC, calibration, Brier, Hosmer–Lemeshow) or a coxph model (Harrell's C)`,
  );
}

function validationParams(mv: ModelVersion, body: ValidateModelRequest, fittedByCentre: boolean): Obj {
  const common: Obj = {
    dataset: body.dataset,
    model: frozenModel(mv),
    ...(body.scoreResolution !== undefined ? { scoreResolution: body.scoreResolution } : {}),
    ...(body.filter !== undefined ? { filter: body.filter as unknown as Json } : {}),
  };
  if (mv.kind === 'coxph') {
    // event times coarsened as in training unless the request says otherwise
    const trained = mv.training.timeResolution;
    const timeResolution = body.timeResolution ?? (typeof trained === 'number' ? trained : undefined);
    // a model stratified by centre (adjustForCentre) has a baseline per centre, none common: its risk
    // scores are compared only within a centre (as R's concordance on a coxph with strata(centre))
    const byCentre = fittedByCentre || mv.training.adjustForCentre === true;
    if (byCentre && body.strata !== undefined)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `model ${mv.name} v${mv.version} is stratified by centre (adjustForCentre): its C is computed within each centre; leave strata out`,
        { fields: [{ path: 'body.strata', message: 'not with a model fitted with adjustForCentre' }] },
      );
    return {
      ...common,
      ...(byCentre ? { adjustForCentre: true } : {}),
      ...(body.time !== undefined ? { time: body.time } : {}),
      ...(body.event !== undefined ? { event: body.event } : {}),
      ...(body.strata !== undefined ? { strata: body.strata } : {}),
      ...(timeResolution !== undefined ? { timeResolution } : {}),
    };
  }
  if (body.outcome === undefined)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `model ${mv.name} v${mv.version} is a binomial glm: give the observed binary outcome column`,
      { fields: [{ path: 'body.outcome', message: 'required for a binomial glm' }] },
    );
  return {
    ...common,
    outcome: body.outcome,
    ...(body.groups !== undefined ? { groups: body.groups } : {}),
  };
}

/**
 * Submits the validation of a version with its frozen coefficients in a study the user can see:
 * `validate` for a binomial glm, `validate-survival` (Harrell's C) for a coxph model.
 */
export async function validateModel(
  ctx: HubContext,
  user: UserPrincipal,
  name: string,
  version: number,
  body: ValidateModelRequest,
): Promise<Task> {
  const mv = await getModelVersion(ctx, user, name, version);
  const algorithm = validationAlgorithm(ctx, mv);
  // the fit's own parameters say adjustForCentre too (versions registered from coxph before 1.4.0, whose
  // result did not): a model stratified by centre is never validated across centres
  const fit =
    mv.kind === 'coxph'
      ? await ctx.db.db.selectFrom('tasks').select('params').where('id', '=', mv.taskId).executeTakeFirst()
      : undefined;
  const fittedByCentre = ((fromJson<Json>(fit?.params ?? null) ?? {}) as Obj).adjustForCentre === true;
  const task = await createTask(ctx, user, {
    studyId: body.studyId,
    algorithm,
    params: validationParams(mv, body, fittedByCentre),
    ...(body.nodeIds ? { nodeIds: body.nodeIds } : {}),
  });
  await withTransaction(ctx.db, (trx) =>
    appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${user.id}`,
      action: 'model.validation-submitted',
      object: `model:${mv.id}`,
      details: { name, version, taskId: task.id, studyId: body.studyId, algorithm },
    }),
  );
  return task;
}

/**
 * Attaches the report of a completed `validate` task to a version; refused unless the task ran with
 * exactly this version's frozen formula and coefficients.
 */
export async function attachValidation(
  ctx: HubContext,
  user: UserPrincipal,
  name: string,
  version: number,
  taskId: string,
): Promise<ModelVersion> {
  return withTransaction(ctx.db, async (trx) => {
    const mv = await getModelVersion(ctx, user, name, version, trx);
    const task = await visibleTask(user, taskId, trx);
    requireRole(user, 'researcher');
    const expected = validationAlgorithm(ctx, mv);
    if (task.algorithm !== expected)
      throw new FedhubError('FH_ERR_VALIDATION', `task ${taskId} ran ${task.algorithm}, not ${expected}`);
    if (task.status !== 'completed')
      throw new FedhubError('FH_ERR_CONFLICT', `task ${taskId} is ${task.status}; attach it once completed`);
    const params = (fromJson<Json>(task.params) ?? {}) as Obj;
    const frozen = frozenModel(mv);
    if (canonicalJson((params.model ?? null) as Json) !== canonicalJson(frozen as unknown as Json))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `task ${taskId} did not validate model ${name} v${version}: its formula or coefficients differ from the registered ones`,
      );
    const already = await trx
      .selectFrom('model_validations')
      .select('id')
      .where('model_version_id', '=', mv.id)
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    if (already)
      throw new FedhubError(
        'FH_ERR_ALREADY_EXISTS',
        `task ${taskId} is already attached to ${name} v${version}`,
      );
    const row: Schema['model_validations'] = {
      id: randomUUID(),
      model_version_id: mv.id,
      task_id: taskId,
      study_id: task.study_id,
      report: task.result ?? 'null',
      created_by: user.id,
      created_at: ctx.nowIso(),
    };
    await trx.insertInto('model_validations').values(row).execute();
    const pooled = ((fromJson<Json>(task.result) as Obj | null)?.pooled ?? {}) as Obj;
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'model.validated',
      object: `model:${mv.id}`,
      details: {
        name,
        version,
        taskId,
        studyId: task.study_id,
        ...(expected === 'validate'
          ? { auc: pooled.auc ?? null }
          : { concordance: pooled.concordance ?? null }),
      },
    });
    return { ...mv, validations: [...mv.validations, validationOut(row)] };
  });
}
