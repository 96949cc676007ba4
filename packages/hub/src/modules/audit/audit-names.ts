/**
 * Names for the ids an audit page shows (issue 20: the audit page showed UUIDs): `user:<id>` is the
 * username, `node:<id>` the node's name, `study:<id>` its title, and so on. The chain stores ids (names
 * change, and a hash must not); names are looked up when the trail is read, one query per kind.
 * Only the events the reader may see are named, so a name reveals nothing outside the reader's scope.
 */
import type { Schema } from '@fedhub/db';
import type { Kysely } from 'kysely';

const KINDS = ['user', 'node', 'study', 'task', 'run', 'organisation', 'collaboration', 'model'] as const;
type Kind = (typeof KINDS)[number];

function parseRef(ref: string | null): [Kind, string] | null {
  if (!ref) return null;
  const i = ref.indexOf(':');
  const kind = ref.slice(0, i) as Kind;
  return i > 0 && KINDS.includes(kind) ? [kind, ref.slice(i + 1)] : null;
}

/** Detail keys that hold ids, and the kind of object they name (`nodeIds` holds several). */
const DETAIL_ID_KINDS: Readonly<Record<string, Kind>> = {
  userId: 'user',
  nodeId: 'node',
  nodeIds: 'node',
  studyId: 'study',
  taskId: 'task',
  runId: 'run',
  organisationId: 'organisation',
  organisationIds: 'organisation',
  collaborationId: 'collaboration',
  modelId: 'model',
};

/**
 * The references (`study:<id>`, …) an event's details hold under the keys of DETAIL_ID_KINDS, keyed by
 * the bare id the details show.
 */
export function detailRefs(details: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(details)) {
    const kind = DETAIL_ID_KINDS[key];
    if (!kind) continue;
    for (const id of Array.isArray(value) ? value : [value])
      if (typeof id === 'string' && id.length > 0) out.set(id, `${kind}:${id}`);
  }
  return out;
}

/** `<kind>:<id>` to a readable name, for every reference in `refs` that still names something. */
export async function auditNames(
  db: Kysely<Schema>,
  refs: Iterable<string | null>,
): Promise<Map<string, string>> {
  const ids = new Map<Kind, Set<string>>();
  for (const r of refs) {
    const p = parseRef(r);
    if (!p) continue;
    const set = ids.get(p[0]) ?? new Set<string>();
    set.add(p[1]);
    ids.set(p[0], set);
  }
  const out = new Map<string, string>();
  const list = (k: Kind) => [...(ids.get(k) ?? [])];
  const put = (k: Kind, rows: Array<{ id: string; name: string }>) => {
    for (const r of rows) out.set(`${k}:${r.id}`, r.name);
  };
  if (list('user').length)
    put(
      'user',
      await db
        .selectFrom('users')
        .select(['id', 'username as name'])
        .where('id', 'in', list('user'))
        .execute(),
    );
  if (list('node').length)
    put(
      'node',
      await db.selectFrom('nodes').select(['id', 'name']).where('id', 'in', list('node')).execute(),
    );
  if (list('organisation').length)
    put(
      'organisation',
      await db
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('id', 'in', list('organisation'))
        .execute(),
    );
  if (list('collaboration').length)
    put(
      'collaboration',
      await db
        .selectFrom('collaborations')
        .select(['id', 'name'])
        .where('id', 'in', list('collaboration'))
        .execute(),
    );
  if (list('study').length)
    put(
      'study',
      await db
        .selectFrom('studies')
        .select(['id', 'title as name'])
        .where('id', 'in', list('study'))
        .execute(),
    );
  if (list('task').length)
    for (const t of await db
      .selectFrom('tasks')
      .innerJoin('studies', 'studies.id', 'tasks.study_id')
      .select(['tasks.id as id', 'tasks.algorithm as algorithm', 'studies.title as title'])
      .where('tasks.id', 'in', list('task'))
      .execute())
      out.set(`task:${t.id}`, `${t.algorithm} in “${t.title}”`);
  if (list('run').length)
    for (const r of await db
      .selectFrom('runs')
      .innerJoin('tasks', 'tasks.id', 'runs.task_id')
      .innerJoin('nodes', 'nodes.id', 'runs.node_id')
      .select(['runs.id as id', 'tasks.algorithm as algorithm', 'nodes.name as node'])
      .where('runs.id', 'in', list('run'))
      .execute())
      out.set(`run:${r.id}`, `${r.algorithm} run at ${r.node}`);
  if (list('model').length)
    for (const m of await db
      .selectFrom('model_versions')
      .select(['id', 'name', 'version'])
      .where('id', 'in', list('model'))
      .execute())
      out.set(`model:${m.id}`, `${m.name} v${m.version}`);
  return out;
}
