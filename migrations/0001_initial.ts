// Frozen in time: this migration must never import application code, so that it means the same
// thing on every database it has ever run on.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('instrument_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    // json, not jsonb: jsonb reorders object keys, and the order of options, rows and scale points
    // is part of an instrument's meaning.
    .addColumn('definition', 'json', (c) => c.notNull())
    .addColumn('source_text', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('instrument_versions_instrument_version_key', ['instrument_id', 'version'])
    .addCheckConstraint('instrument_versions_kind_check', sql`kind in ('individual', 'organisational')`)
    .execute();

  await db.schema
    .createTable('waves')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('instrument_version_id', 'integer', (c) => c.notNull().references('instrument_versions.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('closes_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('waves_instrument_name_key', ['instrument_id', 'name'])
    .addCheckConstraint('waves_status_check', sql`status in ('open', 'closed')`)
    .addCheckConstraint('waves_period_check', sql`closes_at is null or closes_at >= opens_at`)
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('wave_id', 'integer', (c) => c.notNull().references('waves.id'))
    // Only a hash of the token is kept: a copy of the database does not hand out working links.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('invitations_wave_idx').on('invitations').column('wave_id').execute();

  await db.schema
    .createTable('responses')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('wave_id', 'integer', (c) => c.notNull().references('waves.id'))
    .addColumn('instrument_version_id', 'integer', (c) => c.notNull().references('instrument_versions.id'))
    // One response per invitation and per resume code, enforced where concurrent requests meet.
    .addColumn('invitation_id', 'integer', (c) => c.unique().references('invitations.id'))
    .addColumn('resume_code_hash', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('in_progress'))
    .addColumn('answers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('current_page', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .addCheckConstraint('responses_status_check', sql`status in ('in_progress', 'submitted')`)
    .addCheckConstraint('responses_submitted_check', sql`(status = 'submitted') = (submitted_at is not null)`)
    .execute();
  // Only wave_id is indexed beyond the keys, and pages are left room, so that saving answers and
  // submitting (which change answers, status and times) can be heap-only updates.
  await db.schema.createIndex('responses_wave_idx').on('responses').column('wave_id').execute();
  await sql`alter table responses set (fillfactor = 70)`.execute(db);

  // Paradata: how long respondents spend on each page, summed over visits.
  await db.schema
    .createTable('response_page_times')
    .addColumn('response_id', 'uuid', (c) => c.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('visits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('milliseconds', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('response_page_times_pkey', ['response_id', 'page_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['response_page_times', 'responses', 'invitations', 'waves', 'instrument_versions']) {
    await db.schema.dropTable(table).execute();
  }
}
