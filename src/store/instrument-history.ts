/**
 * One instrument's published versions, for the pages that list them: in the order they were
 * published, without the definitions and source texts, which a list does not need and which are
 * the bulk of each row.
 */
import type { Kysely } from 'kysely';
import type { Database, InstrumentVersionRow } from './database.ts';

export type VersionSummary = Pick<InstrumentVersionRow, 'id' | 'instrument_id' | 'version' | 'title' | 'kind' | 'content_hash' | 'published_at'>;

/** The versions of `instrumentId`, oldest first; none when it was never published. */
export function listVersionsOf(db: Kysely<Database>, instrumentId: string): Promise<VersionSummary[]> {
  return db
    .selectFrom('instrument_versions')
    .select(['id', 'instrument_id', 'version', 'title', 'kind', 'content_hash', 'published_at'])
    .where('instrument_id', '=', instrumentId)
    .orderBy('id')
    .execute();
}
