/**
 * A wave's responses read page by page, for whatever goes through every response of a wave (an
 * export, a pipeline) without holding the wave in memory: a national wave can have hundreds of
 * thousands of responses, and each answer set is a JSON document.
 *
 * Decisions, and why:
 * - Keyset paging on the primary key (`id > last id`, ordered by id, `limit` the page size): each
 *   page is an index range scan, as fast for the last page as for the first, where `offset` would
 *   read and throw away every row before the page. A response submitted while the pages are read
 *   lands in a later page or in none, but never makes a row appear twice or go missing, as it could
 *   with offsets.
 * - Ordered by id, not by submission time: the id is unique and indexed, so the order is total and
 *   the same on every run; partial responses have no submission time to order by.
 * - The next page is read while the caller handles the current one: at most two pages are held.
 * - Answers are parsed here (PGlite and pg hand back the JSON column already parsed, a text column
 *   of a driver that does not would be a string), so callers get one shape.
 * - The submission time comes as the text every caller writes (`toISOString`'s form, in UTC, to the
 *   millisecond), made by the database: parsing a timestamp into a `Date` only to print it again
 *   was a tenth of a large export's time. `to_char`'s `MS` drops the microseconds as `Date` does.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';

/** How many responses a page holds unless the caller says otherwise. */
export const RESPONSE_PAGE_SIZE = 1000;

export interface StoredResponse {
  id: string;
  status: 'in_progress' | 'submitted';
  /** When it was submitted, as `Date.prototype.toISOString` writes it (`2026-11-02T10:00:00.000Z`); null for a response not submitted. */
  submittedAt: string | null;
  /** The version of the instrument the response answered. */
  instrumentVersion: string;
  answers: Record<string, unknown>;
  /** For a response imported from a file: the name given to where it came from, and the file's sha256; null otherwise. */
  source: string | null;
  sourceSha256: string | null;
}

export interface ResponsePageOptions {
  /** Responses still in progress too, not only the submitted ones. */
  includePartial?: boolean;
  pageSize?: number;
  /** Start after the response with this id (a page read before ended with it), not at the first. */
  after?: string;
}

function parsedAnswers(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** The wave's responses in pages of at most `pageSize`, ordered by id; an empty wave yields nothing. */
export async function* responsePages(db: Kysely<Database>, waveId: number, options: ResponsePageOptions = {}): AsyncGenerator<StoredResponse[]> {
  const pageSize = options.pageSize ?? RESPONSE_PAGE_SIZE;
  if (!(Number.isInteger(pageSize) && pageSize > 0)) throw new RangeError(`a page holds a whole number of responses above 0, not ${pageSize}`);
  const page = (after: string | undefined) => {
    let query = db
      .selectFrom('responses')
      .innerJoin('instrument_versions', 'instrument_versions.id', 'responses.instrument_version_id')
      .select(['responses.id', 'responses.status', 'responses.answers', 'responses.source', 'responses.source_sha256', 'instrument_versions.version'])
      .select(sql<string | null>`to_char(responses.submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('submitted_at'))
      .where('responses.wave_id', '=', waveId)
      .orderBy('responses.id')
      .limit(pageSize);
    if (!options.includePartial) query = query.where('responses.status', '=', 'submitted');
    if (after !== undefined) query = query.where('responses.id', '>', after);
    const rows = query.execute();
    // Awaited later, or never if the caller stops early: its failure must not go unhandled meanwhile.
    rows.catch(() => undefined);
    return rows;
  };
  let next = page(options.after);
  for (;;) {
    const rows = await next;
    if (rows.length === 0) return;
    const full = rows.length === pageSize;
    // The next page is asked for before this one is handed over, so that the database reads it
    // while the caller works on this one rather than each waiting for the other in turn.
    if (full) next = page(rows[rows.length - 1]!.id);
    yield rows.map((row) => ({
      id: row.id,
      status: row.status,
      submittedAt: row.submitted_at,
      instrumentVersion: row.version,
      answers: parsedAnswers(row.answers),
      source: row.source,
      sourceSha256: row.source_sha256,
    }));
    if (!full) return;
  }
}
