// Frozen in time: imports nothing of the application.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Which sender holds a claimed message: a number whose advisory lock that sender holds while it
  // runs, so that a message claimed by a sender that has died is free at once, not only when the
  // lease runs out.
  await db.schema.alterTable('mail_outbox').addColumn('claimed_by', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_outbox').dropColumn('claimed_by').execute();
}
