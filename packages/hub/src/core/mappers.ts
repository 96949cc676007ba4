/** Database rows to the API's objects (protocol entities). */
import { fromJson, type Schema } from '@fedhub/db';
import type {
  Collaboration,
  DataDictionary,
  ErrorBody,
  HubNode,
  Json,
  NodeApprovalPolicy,
  Organisation,
  Role,
  Run,
  RunStatus,
  Study,
  Task,
  TaskListEntry,
  TaskStatus,
  User,
} from '@fedhub/protocol';

export function organisationOut(r: Schema['organisations']): Organisation {
  return { id: r.id, name: r.name, ...(r.country ? { country: r.country } : {}), createdAt: r.created_at };
}

export function userOut(r: Schema['users']): User {
  return {
    id: r.id,
    username: r.username,
    ...(r.display_name ? { displayName: r.display_name } : {}),
    organisationId: r.organisation_id,
    roles: fromJson<Role[]>(r.roles) ?? [],
    createdAt: r.created_at,
    disabledAt: r.disabled_at ?? null,
  };
}

export function collaborationOut(r: Schema['collaborations'], organisationIds: string[]): Collaboration {
  return {
    id: r.id,
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    organisationIds,
    createdAt: r.created_at,
  };
}

/** A node is online while its last contact is younger than `onlineWindowMs` on the hub clock. */
export function nodeOut(r: Schema['nodes'], nowMs: number, onlineWindowMs: number): HubNode {
  const enrolled = r.ed25519_public_key !== null && r.x25519_public_key !== null;
  const seen = r.last_seen_at ? Date.parse(r.last_seen_at) : null;
  return {
    id: r.id,
    name: r.name,
    organisationId: r.organisation_id,
    collaborationId: r.collaboration_id,
    status: !enrolled
      ? 'awaiting-enrolment'
      : seen !== null && nowMs - seen <= onlineWindowMs
        ? 'online'
        : 'offline',
    lastSeenAt: r.last_seen_at,
    version: r.version,
    publicKeys: enrolled ? { x25519: r.x25519_public_key!, ed25519: r.ed25519_public_key! } : null,
    datasets: fromJson<DataDictionary[]>(r.datasets) ?? [],
    createdAt: r.created_at,
    approvals: r.approval_policy ? fromJson<NodeApprovalPolicy>(r.approval_policy) : null,
  };
}

/** The governance fields a study row keeps as JSON (the rest are columns). */
export type StudyGovernance = Pick<
  Study,
  | 'legalBasis'
  | 'legalBasisNote'
  | 'ethicsApprovalRef'
  | 'dpiaRef'
  | 'dataCategories'
  | 'dataSubjectCategories'
  | 'variables'
  | 'algorithms'
  | 'controller'
  | 'dpo'
  | 'recipients'
  | 'retention'
  | 'releaseSubgroupAnalyses'
>;

export function studyOut(r: Schema['studies'], nodeIds: string[]): Study {
  const g = fromJson<Partial<StudyGovernance>>(r.governance) ?? {};
  return {
    id: r.id,
    collaborationId: r.collaboration_id,
    title: r.title,
    purpose: r.purpose,
    legalBasis: g.legalBasis ?? [],
    legalBasisNote: g.legalBasisNote ?? '',
    ethicsApprovalRef: g.ethicsApprovalRef ?? null,
    dpiaRef: g.dpiaRef ?? null,
    dataCategories: g.dataCategories ?? [],
    dataSubjectCategories: g.dataSubjectCategories ?? [],
    variables: g.variables ?? null,
    algorithms: g.algorithms ?? null,
    nodeIds,
    minNodes: Number(r.min_nodes),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    releasePerNodeBreakdown: Number(r.release_per_node_breakdown) === 1,
    releaseSubgroupAnalyses: g.releaseSubgroupAnalyses === true,
    controller: g.controller ?? null,
    dpo: g.dpo ?? null,
    recipients: g.recipients ?? [],
    retention: g.retention ?? null,
    status: r.status === 'stopped' ? 'stopped' : 'active',
    stoppedAt: r.stopped_at,
    createdBy: r.created_by,
    owner:
      r.owner_organisation_id && r.owner_user_id
        ? { organisationId: r.owner_organisation_id, userId: r.owner_user_id }
        : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A task row as the API gives it; `createdByName`: the submitter's username where the caller joined it. */
export function taskOut(r: Schema['tasks'], createdByName?: string | null): Task {
  return {
    id: r.id,
    studyId: r.study_id,
    collaborationId: r.collaboration_id,
    algorithm: r.algorithm,
    version: r.version,
    params: fromJson<Json>(r.params),
    nodeIds: fromJson<string[]>(r.node_ids) ?? [],
    status: r.status as TaskStatus,
    round: Number(r.round),
    result: fromJson<Json>(r.result),
    error: fromJson<ErrorBody>(r.error),
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    title: r.title ?? null,
    ...(createdByName !== undefined ? { createdByName } : {}),
  };
}

/** The columns a task list reads: never `aggregator_state`, and `result` only when asked for. */
export type TaskListRow = Omit<
  Schema['tasks'],
  'result' | 'aggregator_state' | 'digest' | 'first_round' | 'revision'
> & {
  result?: Schema['tasks']['result'];
  has_result: number | boolean | string;
};

/** A list entry: the task without its result (`hasResult` says whether it has one), or with it when read. */
export function taskListEntryOut(r: TaskListRow, createdByName?: string | null): TaskListEntry {
  const hasResult = r.has_result === true || Number(r.has_result) === 1;
  return {
    id: r.id,
    studyId: r.study_id,
    collaborationId: r.collaboration_id,
    algorithm: r.algorithm,
    version: r.version,
    params: fromJson<Json>(r.params),
    nodeIds: fromJson<string[]>(r.node_ids) ?? [],
    status: r.status as TaskStatus,
    round: Number(r.round),
    error: fromJson<ErrorBody>(r.error),
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    title: r.title ?? null,
    ...(createdByName !== undefined ? { createdByName } : {}),
    hasResult,
    ...(r.result !== undefined ? { result: fromJson<Json>(r.result) } : {}),
  };
}

export function runOut(r: Schema['runs'], nodeName: string): Run {
  return {
    id: r.id,
    taskId: r.task_id,
    nodeId: r.node_id,
    nodeName,
    round: Number(r.round),
    attempt: Number(r.attempt),
    status: r.status as RunStatus,
    leaseExpiresAt: r.lease_expires_at,
    error: fromJson<ErrorBody>(r.error),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    progress:
      r.progress_total === null || r.progress_total === undefined
        ? null
        : { done: Number(r.progress_done ?? 0), total: Number(r.progress_total) },
  };
}
