/**
 * The audit trail as people read it (issue 20): names instead of ids, actions as sentences, details as
 * labelled values, and the CSV/JSON exports. The hub names an event's actor and object when it is read
 * (`actorName`, `objectName`); ids stay available in the exports and on hover.
 */
import type { AuditEvent } from '@fedhub/protocol';
import { toCsv } from '../charts/csv.js';

/** Every action the hub records, as a sentence that follows the actor's name. */
export const ACTION_TEXT: Readonly<Record<string, string>> = {
  'login.succeeded': 'signed in',
  'login.failed': 'failed to sign in',
  'login.locked': 'was locked out after failed sign-ins',
  'organisation.created': 'created an organisation',
  'user.created': 'created a user',
  'user.password-changed': 'changed their password',
  'user.password-reset': "reset a user's password",
  'user.disabled': 'disabled a user',
  'user.enabled': 'enabled a user',
  'user.deleted': 'deleted a user',
  'user.roles-changed': "changed a user's roles",
  'user.sessions-revoked': 'signed a user out everywhere',
  'api-token.created': 'created an API token',
  'api-token.revoked': 'revoked API tokens',
  'collaboration.created': 'created a collaboration',
  'collaboration.organisation-added': 'added an organisation to a collaboration',
  'collaboration.organisation-removed': 'removed an organisation from a collaboration',
  'node.created': 'created a node',
  'node.enrolled': 'enrolled',
  'node.revoked': "revoked a node's credentials",
  'node.rekeyed': 'issued a node a new enrolment token (re-key)',
  'study.created': 'created a study',
  'study.updated': 'changed a study',
  'study.stopped': 'stopped a study',
  'task.submitted': 'submitted a task',
  'task.refused': 'had a task refused',
  'task.cancelled': 'cancelled a task',
  'task.finished': 'finished a task',
  'task.node-dropped': 'dropped a node from a task',
  'task.round-restarted': 'restarted a round of a task',
  'run.claimed': 'claimed a run',
  'run.requeued': 'put a run back in the queue',
  'run.failed': 'failed a run',
  'run.pending-approval': 'held a run for its administrator’s approval',
  'run.approval-settled': 'handed back a run after its administrator decided',
  'result.accepted': 'posted a result that was accepted',
  'result.refused': 'refused to release a result',
  'result.rejected': 'posted a result that was rejected',
  'approval.decided': 'recorded an approval decision',
  'approval.acknowledged': 'answered an approval decision',
  'hub.keys-rotated': "rotated the hub's keys",
  'model.registered': 'registered a model',
  'model.validation-submitted': 'submitted a model validation',
  'model.validated': 'validated a model',
};

/** The action groups the filter offers ("task." matches every task action at the hub). */
export const ACTION_KINDS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'login.', label: 'sign-ins' },
  { value: 'user.', label: 'users' },
  { value: 'api-token.', label: 'API tokens' },
  { value: 'organisation.', label: 'organisations' },
  { value: 'collaboration.', label: 'collaborations' },
  { value: 'node.', label: 'nodes' },
  { value: 'study.', label: 'studies' },
  { value: 'task.', label: 'tasks' },
  { value: 'run.', label: 'runs' },
  { value: 'result.', label: 'results' },
  { value: 'approval.', label: 'approvals' },
  { value: 'model.', label: 'models' },
  { value: 'hub.', label: 'the hub' },
];

/** The object kinds the filter offers (the hub matches "study:" as every study). */
export const OBJECT_KINDS = [
  'study',
  'task',
  'run',
  'node',
  'user',
  'organisation',
  'collaboration',
  'model',
  'api-token',
] as const;

export function actionText(action: string): string {
  return ACTION_TEXT[action] ?? action.replace(/[.-]/g, ' ');
}

const splitRef = (ref: string): [string, string] => {
  const i = ref.indexOf(':');
  return i < 0 ? [ref, ''] : [ref.slice(0, i), ref.slice(i + 1)];
};
const shortId = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

/** Who acted: the username, "node <name>", "the hub"; an id the hub no longer knows, shortened. */
export function actorText(e: Pick<AuditEvent, 'actor' | 'actorName'>): string {
  if (e.actor === 'hub') return 'the hub';
  if (e.actor === 'anonymous') return 'someone not signed in';
  const [kind, id] = splitRef(e.actor);
  if (kind === 'user') return e.actorName ?? `user ${shortId(id)}`;
  if (kind === 'node') return `node ${e.actorName ?? shortId(id)}`;
  return e.actorName ?? e.actor;
}

/** What it was about: 'study “Toxicity”', 'node Hospital A', 'user rita'. */
export function objectText(e: Pick<AuditEvent, 'object' | 'objectName'>): string {
  if (!e.object) return '';
  const [kind, id] = splitRef(e.object);
  const label = kind.replace('-', ' ');
  if (!e.objectName) return `${label} ${shortId(id)}`;
  return kind === 'study'
    ? `study “${e.objectName}”`
    : kind === 'task' || kind === 'run'
      ? e.objectName
      : `${label} ${e.objectName}`;
}

const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]/g, ' ')
    .toLowerCase();

function valueText(v: unknown, names: Readonly<Record<string, string>> = {}): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'string') return names[v] ?? (/^[0-9a-f-]{36}$/.test(v) ? shortId(v) : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => valueText(x, names)).join(', ');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${words(k)} ${valueText(x, names)}`)
    .join('; ');
}

/** "study id" → "study", "node ids" → "nodes": the label of an id the hub named. */
const namedLabel = (label: string) => label.replace(/ ids$/, 's').replace(/ id$/, '');

/**
 * The details as "label: value" pairs, in the order recorded; ids the hub named (`names`, the event's
 * detailNames) by name, labelled without "id" ("study: Toxicity", "nodes: Hospital A, Hospital B").
 */
export function detailsText(
  details: Record<string, unknown>,
  names: Readonly<Record<string, string>> = {},
): Array<[string, string]> {
  return Object.entries(details).map(([k, v]) => {
    const ids = Array.isArray(v) ? v : [v];
    const named = ids.length > 0 && ids.every((x) => typeof x === 'string' && names[x] !== undefined);
    return [named ? namedLabel(words(k)) : words(k), valueText(v, names)];
  });
}

/** A spreadsheet must not run a cell as a formula: text starting with = + - @ gets a leading quote. */
const safeCell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** The CSV export: readable columns and the ids and hashes, one row per event in chain order. */
export function auditCsv(events: readonly AuditEvent[]): string {
  return toCsv(
    ['seq', 'time (UTC)', 'who', 'actor', 'action', 'what', 'about', 'object', 'details', 'hash'],
    events.map((e) => [
      e.seq,
      e.at,
      safeCell(actorText(e)),
      e.actor,
      e.action,
      safeCell(actionText(e.action)),
      safeCell(objectText(e)),
      e.object ?? '',
      safeCell(JSON.stringify(e.details)),
      e.hash,
    ]),
  );
}
