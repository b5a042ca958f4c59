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

  // One row per submitted response, written in the same transaction that marks the response
  // submitted: the primary key is what makes a double-click or a retried POST submit only once.
  await db.schema
    .createTable('submissions')
    .addColumn('response_id', 'uuid', (c) => c.primaryKey().references('responses.id').onDelete('cascade'))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('submissions').execute();
  await db.schema.dropTable('settings').execute();
  await db.schema.alterTable('responses').dropColumn('complete').execute();
}
