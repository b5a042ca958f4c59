// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The monitoring page counts a wave's responses by sector, tier, status, day and the page where
  // people stopped, every time a researcher looks. Read out of the answers, each count parses every
  // response's jsonb and reads the whole table; kept beside them as columns the database fills
  // itself, they go into one narrow index that answers all those counts without visiting the table.
  //
  // The price: current_page changes at almost every page saved, so page saves stop being heap-only
  // updates and each writes an entry into every index of the table. responses_wave_idx goes, as
  // this index starts with wave_id and serves every lookup it served, to keep those few.
  await sql`alter table responses add column sector text generated always as (answers->>'sector') stored`.execute(db);
  await sql`alter table responses add column tier text generated always as (coalesce(answers->>'tier', '')) stored`.execute(db);
  await sql`create index responses_strata_idx on responses (wave_id, status, sector, tier) include (current_page, started_at, submitted_at)`.execute(db);
  await sql`drop index responses_wave_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index responses_wave_idx on responses (wave_id)`.execute(db);
  await sql`drop index responses_strata_idx`.execute(db);
  await sql`alter table responses drop column tier`.execute(db);
  await sql`alter table responses drop column sector`.execute(db);
}
