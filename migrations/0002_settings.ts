// Frozen in time: imports nothing of the application.
import type { Kysely } from 'kysely';

// Service-wide settings that every instance must share, such as the key that signs cookies:
// kept in the database so that several instances behind one load balancer agree without config.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('settings').execute();
}
