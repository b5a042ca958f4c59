// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Service-wide settings that every instance must share, such as the key that signs cookies:
  // kept in the database so that several instances behind one load balancer agree without config.
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  // Whether every required question the respondent is shown has an answer, worked out from the
  // instrument each time answers are saved, so that a submission can be checked by the database
  // in the same statement that records it.
  await db.schema.alterTable('responses').addColumn('complete', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // A submitted response is final: the database refuses any later change to it, whatever code
  // path tries. Together with the conditional update that submits (in_progress → submitted, under
  // the row's lock), this is what makes a double-click or a retried POST submit exactly once.
  await sql`
    create function responses_submitted_is_final() returns trigger language plpgsql as $$
    begin
      raise exception 'response % has been submitted and cannot change', old.id using errcode = 'check_violation';
    end $$`.execute(db);
  await sql`
    create trigger responses_submitted_is_final before update on responses
    for each row when (old.status = 'submitted') execute function responses_submitted_is_final()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger responses_submitted_is_final on responses`.execute(db);
  await sql`drop function responses_submitted_is_final()`.execute(db);
  await db.schema.dropTable('settings').execute();
  await db.schema.alterTable('responses').dropColumn('complete').execute();
}
