// Frozen in time: imports nothing of the application.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Responses brought in from a file (paper questionnaires keyed in, another platform's export)
  // say where they came from: a name the researcher gives and the file's sha256, both or neither.
  // Responses collected by the service have neither.
  await sql`alter table responses add column source text, add column source_sha256 text, add constraint responses_source_check check ((source is null) = (source_sha256 is null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table responses drop constraint responses_source_check, drop column source, drop column source_sha256`.execute(db);
}
