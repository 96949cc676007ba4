/**
 * The hub's schema migrations: one list for SQLite and PostgreSQL, compiled in (no files read at run
 * time). Only portable column types are used (text, integer), so both dialects run the same statements.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator, sql } from './kysely.js';

/** Migrations by name; names sort in the order they apply. Never edit one that has shipped: add another. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('country', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text')
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('rotated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('collaborations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('collaboration_organisations')
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addPrimaryKeyConstraint('collaboration_organisations_pk', ['collaboration_id', 'organisation_id'])
        .execute();
      await db.schema
        .createIndex('collaboration_organisations_org')
        .on('collaboration_organisations')
        .column('organisation_id')
        .execute();
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('enrolment_token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('enrolment_expires_at', 'text', (c) => c.notNull())
        .addColumn('enrolment_used', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('node_token_hash', 'text', (c) => c.unique())
        .addColumn('x25519_public_key', 'text')
        .addColumn('ed25519_public_key', 'text')
        .addColumn('version', 'text')
        .addColumn('datasets', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('nodes_collaboration_name', ['collaboration_id', 'name'])
        .execute();
      await db.schema
        .createTable('studies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('study_nodes')
        .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
        .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id'))
        .addPrimaryKeyConstraint('study_nodes_pk', ['study_id', 'node_id'])
        .execute();
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('node_ids', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('aggregator_state', 'text')
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('tasks_study').on('tasks').column('study_id').execute();
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('lease_expires_at', 'text')
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('payload', 'text')
        .addColumn('digest', 'text')
        .addColumn('signature', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addUniqueConstraint('runs_task_node_round', ['task_id', 'node_id', 'round'])
        .execute();
      await db.schema
        .createIndex('runs_claimable')
        .on('runs')
        .columns(['node_id', 'status', 'created_at'])
        .execute();
      await db.schema.createIndex('runs_lease').on('runs').columns(['status', 'lease_expires_at']).execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('object', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('hub_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of [
        'hub_secrets',
        'audit_events',
        'runs',
        'tasks',
        'study_nodes',
        'studies',
        'nodes',
        'collaboration_organisations',
        'collaborations',
        'api_tokens',
        'refresh_tokens',
        'users',
        'organisations',
      ])
        await sql`drop table if exists ${sql.table(t)}`.execute(db);
    },
  },
  '0002-study-governance': {
    // Studies become the unit of permission. Studies from before keep running as they did: no
    // restriction on variables or algorithms (governance '{}'), one node suffices, breakdowns released.
    async up(db: Kysely<unknown>): Promise<void> {
      const cols: [string, 'text' | 'integer', string | number | null][] = [
        ['status', 'text', 'active'],
        ['stopped_at', 'text', null],
        ['updated_at', 'text', ''],
        ['min_nodes', 'integer', 1],
        ['starts_at', 'text', null],
        ['ends_at', 'text', null],
        ['release_per_node_breakdown', 'integer', 1],
        ['governance', 'text', '{}'],
      ];
      for (const [name, type, dflt] of cols)
        await db.schema
          .alterTable('studies')
          .addColumn(name, type, (c) => (dflt === null ? c : c.notNull().defaultTo(dflt)))
          .execute();
      await sql`update studies set updated_at = created_at where updated_at = ''`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const c of [
        'governance',
        'release_per_node_breakdown',
        'ends_at',
        'starts_at',
        'min_nodes',
        'updated_at',
        'stopped_at',
        'status',
      ])
        await db.schema.alterTable('studies').dropColumn(c).execute();
    },
  },
  '0004-model-registry': {
    // Registered models are immutable: a version row is never updated; validations are appended beside it.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('model_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('model_versions_name_version', ['name', 'version'])
        .execute();
      await db.schema
        .createTable('model_validations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_version_id', 'text', (c) => c.notNull().references('model_versions.id'))
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('study_id', 'text', (c) => c.notNull())
        .addColumn('report', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('model_validations_version_task', ['model_version_id', 'task_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('model_validations').execute();
      await db.schema.dropTable('model_versions').execute();
    },
  },
  '0005-node-approvals': {
    // Runs a node holds until its admin decides, and decisions node-admins record at the hub for a node.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('approval_requests')
        .addColumn('run_id', 'text', (c) => c.primaryKey().references('runs.id'))
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('study_id', 'text', (c) => c.notNull())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('settled_at', 'text')
        .execute();
      await db.schema
        .createIndex('approval_requests_node')
        .on('approval_requests')
        .columns(['node_id', 'settled_at'])
        .execute();
      await db.schema
        .createTable('approval_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id'))
        .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('algorithm', 'text')
        .addColumn('version', 'text')
        .addColumn('digest', 'text')
        .addColumn('reason', 'text')
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('ack', 'text')
        .execute();
      await db.schema
        .createIndex('approval_decisions_node')
        .on('approval_decisions')
        .columns(['node_id', 'created_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('approval_decisions').execute();
      await db.schema.dropTable('approval_requests').execute();
    },
  },
  '0006-task-first-round': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('tasks')
        .addColumn('first_round', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tasks').dropColumn('first_round').execute();
    },
  },
  '0007-login-failures': {
    // Failed logins for usernames that have no account, so that an unknown name locks exactly as a known
    // one does and the lockout answer does not tell which names exist.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('login_failures')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('login_failures').execute();
    },
  },
  '0008-study-owner-and-revocation': {
    // Studies belong to an organisation and a researcher (issue 15, item 4): existing ones to their
    // creator. Users can be disabled and nodes revoked (item 10), keeping the rows the audit trail names.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('studies').addColumn('owner_organisation_id', 'text').execute();
      await db.schema.alterTable('studies').addColumn('owner_user_id', 'text').execute();
      await sql`UPDATE studies SET owner_user_id = created_by,
        owner_organisation_id = (SELECT organisation_id FROM users WHERE users.id = studies.created_by)`.execute(
        db,
      );
      await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
      await db.schema.alterTable('nodes').addColumn('revoked_at', 'text').execute();
      // a decision relayed to a node carries its node administrator's own signature (item 6)
      await db.schema.alterTable('approval_decisions').addColumn('admin_signature', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('approval_decisions').dropColumn('admin_signature').execute();
      await db.schema.alterTable('nodes').dropColumn('revoked_at').execute();
      await db.schema.alterTable('users').dropColumn('disabled_at').execute();
      await db.schema.alterTable('studies').dropColumn('owner_user_id').execute();
      await db.schema.alterTable('studies').dropColumn('owner_organisation_id').execute();
    },
  },
  '0009-sessions-and-login-throttle': {
    // token_version: bumped when a user's password changes, so every access token issued before stops
    // verifying (and open sockets are closed). password_change_required: set for a one-time password.
    // login_throttle: failed sign-ins per (user name, client address), with exponential backoff, in place
    // of a lock of the account that anyone could trigger from anywhere.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('users')
        .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('password_change_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('login_throttle')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked_until', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('login_throttle_pk', ['username', 'address'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('login_throttle').execute();
      await db.schema.alterTable('users').dropColumn('password_change_required').execute();
      await db.schema.alterTable('users').dropColumn('token_version').execute();
    },
  },
  '0010-task-title': {
    // a title the submitter gives a task, so that lists tell "km 1.0.0, km 1.0.0" apart
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tasks').addColumn('title', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tasks').dropColumn('title').execute();
    },
  },
  '0011-node-approval-policy': {
    // How a node approves runs, as it reports it in its heartbeat: the inbox shows it (issue 20).
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('nodes').addColumn('approval_policy', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('nodes').dropColumn('approval_policy').execute();
    },
  },
  // ONNX model files: bytes base64 in a text column (portable; a 32 MiB cap at registration), unique by
  // collaboration, name and version (a name in one collaboration says nothing about another: issue 15); looked up by digest when a node fetches one
  '0012-onnx-models': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('onnx_models')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('byte_length', 'integer', (c) => c.notNull())
        .addColumn('onnx', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('card', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('onnx_models_collaboration_name_version', [
          'collaboration_id',
          'name',
          'version',
        ])
        .execute();
      await db.schema.createIndex('onnx_models_sha256').on('onnx_models').column('sha256').execute();
      await db.schema
        .createTable('onnx_model_validations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('onnx_model_id', 'text', (c) => c.notNull().references('onnx_models.id'))
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('study_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('onnx_model_validations_task', ['onnx_model_id', 'task_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('onnx_model_validations').execute();
      await db.schema.dropTable('onnx_models').execute();
    },
  },
  '0013-model-names-per-collaboration': {
    // A model name belongs to its collaboration (issue 15, item 12): the same name may be registered in
    // another collaboration, so registering never tells a researcher that a name exists elsewhere. The
    // unique constraint (name, version) becomes (collaboration_id, name, version). SQLite cannot drop a
    // table constraint, so both registry tables are rebuilt (the same steps on PostgreSQL): copies with
    // the new constraint, the old tables dropped child first, the copies renamed (SQLite and PostgreSQL
    // keep the validations' reference to the versions through the rename).
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('model_versions_next')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('study_id', 'text', (c) => c.notNull().references('studies.id'))
        .addColumn('collaboration_id', 'text', (c) => c.notNull().references('collaborations.id'))
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('model_versions_collaboration_name_version', [
          'collaboration_id',
          'name',
          'version',
        ])
        .execute();
      await sql`INSERT INTO model_versions_next (id, name, version, kind, study_id, collaboration_id, task_id,
        model, created_by, created_at) SELECT id, name, version, kind, study_id, collaboration_id, task_id, model,
        created_by, created_at FROM model_versions`.execute(db);
      await db.schema
        .createTable('model_validations_next')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_version_id', 'text', (c) => c.notNull().references('model_versions_next.id'))
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('study_id', 'text', (c) => c.notNull())
        .addColumn('report', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('model_validations_next_version_task', ['model_version_id', 'task_id'])
        .execute();
      await sql`INSERT INTO model_validations_next (id, model_version_id, task_id, study_id, report, created_by,
        created_at) SELECT id, model_version_id, task_id, study_id, report, created_by, created_at
        FROM model_validations`.execute(db);
      await db.schema.dropTable('model_validations').execute();
      await db.schema.dropTable('model_versions').execute();
      await db.schema.alterTable('model_versions_next').renameTo('model_versions').execute();
      await db.schema.alterTable('model_validations_next').renameTo('model_validations').execute();
    },
    async down(): Promise<void> {
      // names of one collaboration may now repeat across collaborations: (name, version) cannot come back
      throw new Error('0013-model-names-per-collaboration cannot be undone');
    },
  },
  '0014-run-progress': {
    // cases done / total of a run, as its node reports them with heartbeats (validate-imaging)
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('runs').addColumn('progress_done', 'integer').execute();
      await db.schema.alterTable('runs').addColumn('progress_total', 'integer').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('runs').dropColumn('progress_total').execute();
      await db.schema.alterTable('runs').dropColumn('progress_done').execute();
    },
  },
};

/** A migration provider over the compiled-in list (no file system access). */
export const staticMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};

/** Brings the database to the latest schema; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: staticMigrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
