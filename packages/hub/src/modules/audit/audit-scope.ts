/**
 * What part of the audit trail a reader sees (issue 15, item 12): a hub-admin the whole chain; an
 * organisation's auditor the events about its organisation, its users, and the collaborations it belongs
 * to (their studies, tasks, runs, nodes and models), and the events those users and nodes caused.
 * Sign-in failures for names that are no account, and other organisations' business, stay out of sight.
 */
import type { Schema } from '@fedhub/db';
import { sql } from '@fedhub/db';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Visibility } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';

type Eb = ExpressionBuilder<Schema, 'audit_events'>;

/** `'<kind>:' || <id column>` of a sub-select, as the audit `object`/`actor` strings are written. */
const ref = (kind: string, column: string) => sql<string>`${`${kind}:`} || ${sql.ref(column)}`;

/** A filter on `audit_events` keeping what `user` may read; undefined for the whole chain. */
export function auditScope(
  user: UserPrincipal,
  vis: Visibility,
): ((eb: Eb) => Expression<SqlBool>) | undefined {
  if (vis.all) return undefined;
  const collabs = vis.ids.size > 0 ? [...vis.ids] : [''];
  return (eb) => {
    const inCollabs = (table: 'studies' | 'tasks' | 'nodes' | 'model_versions', kind: string) =>
      eb
        .selectFrom(table)
        .select(ref(kind, `${table}.id`).as('ref'))
        .where(`${table}.collaboration_id`, 'in', collabs);
    const usersOfOrg = eb
      .selectFrom('users')
      .select(ref('user', 'users.id').as('ref'))
      .where('users.organisation_id', '=', user.organisationId);
    const runs = eb
      .selectFrom('runs')
      .innerJoin('tasks', 'tasks.id', 'runs.task_id')
      .select(ref('run', 'runs.id').as('ref'))
      .where('tasks.collaboration_id', 'in', collabs);
    const nodes = inCollabs('nodes', 'node');
    return eb.or([
      eb('audit_events.object', 'in', inCollabs('studies', 'study')),
      eb('audit_events.object', 'in', inCollabs('tasks', 'task')),
      eb('audit_events.object', 'in', runs),
      eb('audit_events.object', 'in', nodes),
      eb('audit_events.object', 'in', inCollabs('model_versions', 'model')),
      eb('audit_events.object', 'in', usersOfOrg),
      eb(
        'audit_events.object',
        'in',
        collabs.map((c) => `collaboration:${c}`),
      ),
      eb('audit_events.object', '=', `organisation:${user.organisationId}`),
      eb('audit_events.actor', 'in', usersOfOrg),
      eb('audit_events.actor', 'in', nodes),
    ]);
  };
}
