/** Published instrument versions: every version is kept, and a version's content never changes. */
import type { Kysely } from 'kysely';
import type { Instrument } from '../instrument/schema.ts';
import type { Database, InstrumentVersionRow } from './database.ts';

export class VersionConflictError extends Error {
  constructor(instrumentId: string, version: string) {
    super(
      `${instrumentId} version ${version} is already published with different content; ` +
        'responses already collected refer to it, so give the changed instrument a new version',
    );
    this.name = 'VersionConflictError';
  }
}

export interface PublishInput {
  instrument: Instrument;
  sourceText: string;
  contentHash: string;
}

/**
 * Publishes a version, or finds it already published with the same content. Concurrent publishers
 * meet at the unique constraint, not at a check in code.
 */
export async function publishInstrument(db: Kysely<Database>, input: PublishInput): Promise<{ row: InstrumentVersionRow; created: boolean }> {
  const { instrument } = input;
  const inserted = await db
    .insertInto('instrument_versions')
    .values({
      instrument_id: instrument.id,
      version: instrument.version,
      title: instrument.title,
      kind: instrument.kind,
      content_hash: input.contentHash,
      definition: JSON.stringify(instrument),
      source_text: input.sourceText,
    })
    .onConflict((oc) => oc.columns(['instrument_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await findInstrumentVersion(db, instrument.id, instrument.version);
  if (!existing || existing.content_hash !== input.contentHash) throw new VersionConflictError(instrument.id, instrument.version);
  return { row: existing, created: false };
}

export function findInstrumentVersion(db: Kysely<Database>, instrumentId: string, version: string): Promise<InstrumentVersionRow | undefined> {
  return db
    .selectFrom('instrument_versions')
    .selectAll()
    .where('instrument_id', '=', instrumentId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export function getInstrumentVersion(db: Kysely<Database>, id: number): Promise<InstrumentVersionRow | undefined> {
  return db.selectFrom('instrument_versions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every published version, oldest first within each instrument. */
export function listInstrumentVersions(db: Kysely<Database>): Promise<InstrumentVersionRow[]> {
  return db.selectFrom('instrument_versions').selectAll().orderBy('instrument_id').orderBy('id').execute();
}
