// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Weights made outside tapestry (raked elsewhere, or a statistics office's), attached to a wave's
  // responses under a name that a pipeline's design names as its weight. Attaching a set again
  // replaces it whole; the file's hash says which file it was.
  await db.schema
    .createTable('weight_sets')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('wave_id', 'integer', (c) => c.notNull().references('waves.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source_sha256', 'text', (c) => c.notNull())
    .addColumn('attached_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('weight_sets_wave_name_key', ['wave_id', 'name'])
    .execute();
  await db.schema
    .createTable('response_weights')
    .addColumn('weight_set_id', 'integer', (c) => c.notNull().references('weight_sets.id').onDelete('cascade'))
    .addColumn('response_id', 'uuid', (c) => c.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('weight', 'float8', (c) => c.notNull().check(sql`weight > 0 and weight < 'Infinity'::float8`))
    .addPrimaryKeyConstraint('response_weights_pkey', ['weight_set_id', 'response_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('response_weights').execute();
  await db.schema.dropTable('weight_sets').execute();
}
