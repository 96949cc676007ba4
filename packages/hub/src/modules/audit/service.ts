/**
 * The audit trail: an append-only hash chain (`chainHash` from @fedhub/crypto). Each entry is appended in
 * the transaction of the change it records, so the trail and the data never disagree.
 */
import { CHAIN_GENESIS, chainHash, verifyChain } from '@fedhub/crypto';
import type { Schema } from '@fedhub/db';
import {
  type DbHandle,
  type DialectName,
  fromJson,
  serialiseOn,
  sql,
  toJson,
  withTransaction,
} from '@fedhub/db';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { auditNames, detailRefs } from './audit-names.js';

/** Advisory-lock key serialising appends to the chain on PostgreSQL. */
const AUDIT_LOCK_KEY = 7_246_001;

/** Audit actions, as recorded. */
export const AUDIT_ACTIONS = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'organisation.created',
  'user.created',
  'collaboration.created',
  'collaboration.organisation-added',
  'node.created',
  'node.enrolled',
  'study.created',
  'study.updated',
  'study.stopped',
  'task.submitted',
  'task.refused',
  'task.cancelled',
  'task.finished',
  'task.node-dropped',
  'task.round-restarted',
  'run.claimed',
  'run.requeued',
  'result.accepted',
  'result.refused',
  'result.rejected',
  'api-token.created',
  'api-token.revoked',
  'user.password-changed',
  'hub.keys-rotated',
  'model.registered',
  'model.validation-submitted',
  'model.validated',
  'model.onnx-registered',
  'model.onnx-validated',
  'model.onnx-report-issued',
  'run.pending-approval',
  'run.approval-settled',
  'approval.decided',
  'approval.acknowledged',
  // security round two (issue 15): ownership, poison tasks, revocation
  'run.failed',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.roles-changed',
  'user.password-reset',
  'user.sessions-revoked',
  'node.revoked',
  'node.rekeyed',
  'collaboration.organisation-removed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One event to record. `actor` is `user:<id>`, `node:<id>` or `hub`; `object` is `<kind>:<id>`. */
export interface AuditInput {
  at: string;
  actor: string;
  action: AuditAction;
  object: string | null;
  details?: Record<string, unknown>;
}

/** A stored audit event. */
export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  object: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** Read-time names (not hashed). */
  actorName?: string | null;
  objectName?: string | null;
  /** Names of the ids in the details, by id. */
  detailNames?: Record<string, string>;
}

/** What the hash covers: everything but the hashes themselves. */
function chainedEntry(e: {
  seq: number;
  at: string;
  actor: string;
  action: string;
  object: string | null;
  details: unknown;
}) {
  return { seq: e.seq, at: e.at, actor: e.actor, action: e.action, object: e.object, details: e.details };
}

/** Appends one event inside `trx` (the caller's transaction). */
export async function appendAudit(
  dialect: DialectName,
  trx: Kysely<Schema>,
  input: AuditInput,
): Promise<void> {
  await serialiseOn(dialect, trx, AUDIT_LOCK_KEY);
  const last = await trx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const seq = last ? Number(last.seq) + 1 : 1;
  const prevHash = last?.hash ?? CHAIN_GENESIS;
  const details = input.details ?? {};
  const hash = chainHash(prevHash, chainedEntry({ ...input, seq, details }));
  await trx
    .insertInto('audit_events')
    .values({
      seq,
      at: input.at,
      actor: input.actor,
      action: input.action,
      object: input.object,
      details: toJson(details),
      prev_hash: prevHash,
      hash,
    })
    .execute();
}

/** Appends one event in its own transaction (for events with no other write, e.g. a failed login). */
export async function appendAuditAlone(h: DbHandle, input: AuditInput): Promise<void> {
  await withTransaction(h, (trx) => appendAudit(h.dialect, trx, input));
}

function toEvent(r: Schema['audit_events']): AuditEvent {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    object: r.object,
    details: fromJson<Record<string, unknown>>(r.details) ?? {},
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Which events to list: an action or an action kind ("task."), an actor, an object or an object kind ("study:"). */
export interface AuditQuery {
  limit: number;
  offset: number;
  action?: string | undefined;
  actor?: string | undefined;
  username?: string | undefined;
  object?: string | undefined;
}

/** `value` matched exactly, or as a prefix when it ends with `kindEnd` ("task." or "study:"). */
const exactOrKind = (value: string, kindEnd: string) =>
  value.endsWith(kindEnd)
    ? { op: 'like' as const, value: `${value.replace(/[\\%_]/g, '\\$&')}%` }
    : { op: '=' as const, value };

/** A page of events in chain order, each with the names of its actor and object. */
export async function listAudit(
  h: DbHandle,
  q: AuditQuery,
  scope?: (eb: ExpressionBuilder<Schema, 'audit_events'>) => Expression<SqlBool>,
): Promise<AuditEvent[]> {
  let actor = q.actor;
  if (q.username !== undefined) {
    const u = await h.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', q.username)
      .executeTakeFirst();
    if (!u || (actor !== undefined && actor !== `user:${u.id}`)) return [];
    actor = `user:${u.id}`;
  }
  let query = h.db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('seq', 'asc')
    .limit(q.limit)
    .offset(q.offset);
  if (q.action) {
    const m = exactOrKind(q.action, '.');
    query =
      m.op === '='
        ? query.where('action', '=', m.value)
        : query.where(sql<SqlBool>`action like ${m.value} escape '\\'`);
  }
  if (actor) query = query.where('actor', '=', actor);
  if (q.object) {
    const m = exactOrKind(q.object, ':');
    query =
      m.op === '='
        ? query.where('object', '=', m.value)
        : query.where(sql<SqlBool>`object like ${m.value} escape '\\'`);
  }
  if (scope) query = query.where(scope);
  const events = (await query.execute()).map(toEvent);
  const refs = events.map((e) => detailRefs(e.details));
  const names = await auditNames(
    h.db,
    events.flatMap((e, i) => [e.actor, e.object, ...refs[i]!.values()]),
  );
  return events.map((e, i) => {
    // the ids in the details (a task's study and nodes, a user's organisation) by name, as the object is
    const detailNames: Record<string, string> = {};
    for (const [id, ref] of refs[i]!) {
      const name = names.get(ref);
      if (name !== undefined) detailNames[id] = name;
    }
    return {
      ...e,
      actorName: names.get(e.actor) ?? null,
      objectName: e.object ? (names.get(e.object) ?? null) : null,
      ...(Object.keys(detailNames).length ? { detailNames } : {}),
    };
  });
}

/** The result of re-computing the chain from the first entry. */
export interface AuditVerification {
  ok: boolean;
  count: number;
  headHash: string;
  broken: { seq: number; reason: string } | null;
}

/** Re-computes every hash from genesis, in pages, and reports the first break. */
export async function verifyAudit(h: DbHandle): Promise<AuditVerification> {
  const PAGE = 2000;
  let prev = CHAIN_GENESIS;
  let count = 0;
  let lastSeq = 0;
  for (;;) {
    const rows = await h.db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', lastSeq)
      .orderBy('seq', 'asc')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    const events = rows.map(toEvent);
    if (count === 0 && events[0]!.seq !== 1)
      return {
        ok: false,
        count,
        headHash: prev,
        broken: { seq: events[0]!.seq, reason: 'the first entries are missing' },
      };
    if (count > 0 && events[0]!.seq !== lastSeq + 1)
      return {
        ok: false,
        count,
        headHash: prev,
        broken: { seq: events[0]!.seq, reason: `entry ${events[0]!.seq}: sequence gap` },
      };
    const broken = verifyChain(
      events.map((e) => ({ seq: e.seq, hash: e.hash, prevHash: e.prevHash, entry: chainedEntry(e) })),
      prev,
    );
    if (broken)
      return {
        ok: false,
        count: count + broken.index,
        headHash: prev,
        broken: { seq: events[broken.index]!.seq, reason: broken.reason },
      };
    count += events.length;
    prev = events.at(-1)!.hash;
    lastSeq = events.at(-1)!.seq;
  }
  return { ok: true, count, headHash: prev, broken: null };
}
