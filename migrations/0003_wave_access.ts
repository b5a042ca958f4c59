// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Who may start a response. `open`: anyone with the survey's address; `invitation`: only
  // personal links. Existing waves stay open, as they were.
  await db.schema
    .alterTable('waves')
    .addColumn('access', 'text', (c) => c.notNull().defaultTo('open').check(sql`access in ('open', 'invitation')`))
    .execute();
  // Whether the home page lists the wave. An unlisted open wave is reached only by its address.
  await db.schema.alterTable('waves').addColumn('listed', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('waves').dropColumn('listed').execute();
  await db.schema.alterTable('waves').dropColumn('access').execute();
}
