/**
 * Responses brought in from a file as submitted responses of a wave, whole or not at all, with
 * their audit row in the same transaction. The rows come checked against the instrument
 * (`instrument/response-file.ts`); what only the database knows — a response id it holds already —
 * is checked here, inside the transaction that stores them.
 */
import type { Kysely } from 'kysely';
import { inTransaction } from './accounts.ts';
import { appendAudit, type Actor } from './audit.ts';
import type { Database, WaveRow } from './database.ts';

export class ImportError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ImportError';
  }
}

export interface ImportSource {
  /** The name given to where the responses came from, e.g. `paper` or the file's name. */
  name: string;
  /** sha256 of the file, as its bytes were read. */
  sha256: string;
  /** The file as messages name it. */
  file: string;
}

/** A response to store, checked against its instrument already (as `export/response-file.ts` does). */
export interface ImportRow {
  /** The line of the file it came from, for messages. */
  line: number;
  responseId: string;
  submittedAt: Date;
  answers: Record<string, unknown>;
}

const CHUNK = 1_000;

export async function importResponses(
  db: Kysely<Database>,
  actor: Actor,
  at: Date,
  wave: Pick<WaveRow, 'id' | 'name' | 'instrument_id' | 'instrument_version_id'>,
  rows: readonly ImportRow[],
  source: ImportSource,
): Promise<{ imported: number }> {
  return inTransaction(db, async (trx) => {
    const problems: string[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const held = await trx
        .selectFrom('responses')
        .innerJoin('waves', 'waves.id', 'responses.wave_id')
        .select(['responses.id', 'responses.source', 'waves.name as wave', 'waves.instrument_id'])
        .where('responses.id', 'in', chunk.map((r) => r.responseId))
        .execute();
      const byId = new Map(held.map((h) => [h.id, h]));
      for (const row of chunk) {
        const other = byId.get(row.responseId);
        if (other) problems.push(`${source.file}:${row.line}: response ${row.responseId} is stored already, in wave ${other.wave} of ${other.instrument_id}${other.source ? ` (imported from ${other.source})` : ''}`);
      }
    }
    if (problems.length > 0) throw new ImportError(problems);
    for (let i = 0; i < rows.length; i += CHUNK) {
      await trx
        .insertInto('responses')
        .values(
          rows.slice(i, i + CHUNK).map((row) => ({
            id: row.responseId,
            wave_id: wave.id,
            instrument_version_id: wave.instrument_version_id,
            status: 'submitted' as const,
            answers: JSON.stringify(row.answers),
            current_page: null,
            complete: true,
            // Nothing says when a paper questionnaire was begun; the time it was submitted stands in.
            started_at: row.submittedAt,
            updated_at: row.submittedAt,
            submitted_at: row.submittedAt,
            source: source.name,
            source_sha256: source.sha256,
          })),
        )
        .execute();
    }
    await appendAudit(trx, {
      ...actor,
      at,
      action: 'responses-imported',
      instrumentId: wave.instrument_id,
      wave: wave.name,
      summary: `imported ${rows.length} response${rows.length === 1 ? '' : 's'} into wave ${wave.name} of ${wave.instrument_id} from ${source.name}`,
      details: { count: rows.length, source: source.name, sha256: source.sha256 },
    });
    return { imported: rows.length };
  });
}
