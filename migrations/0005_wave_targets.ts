// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // How many responses a wave aims for in each sector × management tier, which monitoring sets
  // the arrivals against. An instrument with no tier question (the organisational survey) has its
  // targets by sector alone, under the tier ''.
  await db.schema
    .createTable('wave_targets')
    .addColumn('wave_id', 'integer', (c) => c.notNull().references('waves.id').onDelete('cascade'))
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('target', 'integer', (c) => c.notNull().check(sql`target >= 0`))
    .addPrimaryKeyConstraint('wave_targets_pkey', ['wave_id', 'sector', 'tier'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('wave_targets').execute();
}
