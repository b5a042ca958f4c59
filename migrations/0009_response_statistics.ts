// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Monitoring groups a wave's responses by sector and tier, read out of the answers. Without
  // statistics on those expressions PostgreSQL guesses tens of thousands of groups where there are
  // a dozen, and sorts every response (on disk, for a large wave) instead of hashing them. Extended
  // statistics tell it, and unlike an index they leave page saves as heap-only updates.
  await sql`create statistics responses_strata_stats (ndistinct) on (answers->>'sector'), (coalesce(answers->>'tier', '')) from responses`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop statistics responses_strata_stats`.execute(db);
}
