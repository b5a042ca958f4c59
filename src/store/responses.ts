/**
 * Responses: started, saved page by page, submitted once. Exactly-once rests on the database:
 * unique invitation and resume-code columns; a submit that moves a row from in_progress to
 * submitted in one statement, under the row's lock; and a trigger that refuses any change to a
 * submitted response.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, ResponseRow, WaveRow } from './database.ts';

export class ResponseError extends Error {
  override name = 'ResponseError';
}

export interface StartResponseInput {
  /** Chosen by the caller when something must be derived from it (a resume code); else the database's. */
  id?: string;
  waveId: number;
  instrumentVersionId: number;
  invitationId?: number | null;
  resumeCodeHash?: string | null;
  startedAt?: Date;
}

/** Starts a response; resolves to undefined when the invitation or resume code already has one. */
export async function startResponse(db: Kysely<Database>, input: StartResponseInput): Promise<ResponseRow | undefined> {
  return db
    .insertInto('responses')
    .values({
      ...(input.id === undefined ? {} : { id: input.id }),
      wave_id: input.waveId,
      instrument_version_id: input.instrumentVersionId,
      invitation_id: input.invitationId ?? null,
      resume_code_hash: input.resumeCodeHash ?? null,
      started_at: input.startedAt,
      current_page: null,
      submitted_at: null,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function getResponse(db: Kysely<Database>, id: string): Promise<ResponseRow | undefined> {
  return db.selectFrom('responses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Saves the answers so far, and whether they are complete; a submitted response cannot be changed. */
export async function saveProgress(
  db: Kysely<Database>,
  id: string,
  progress: { answers: Record<string, unknown>; complete: boolean; currentPage: string | null },
  at: Date,
): Promise<ResponseRow> {
  const row = await db
    .updateTable('responses')
    .set({ answers: JSON.stringify(progress.answers), complete: progress.complete, current_page: progress.currentPage, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'in_progress')
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ResponseError(`response ${id} does not exist or has already been submitted`);
  return row;
}

/** Adds time spent on a page to the response's paradata. */
export async function recordPageTime(db: Kysely<Database>, responseId: string, pageId: string, milliseconds: number): Promise<void> {
  await db
    .insertInto('response_page_times')
    .values({ response_id: responseId, page_id: pageId, visits: 1, milliseconds: Math.max(0, Math.round(milliseconds)) })
    .onConflict((oc) =>
      oc.columns(['response_id', 'page_id']).doUpdateSet((eb) => ({
        visits: eb('response_page_times.visits', '+', 1),
        milliseconds: eb('response_page_times.milliseconds', '+', eb.ref('excluded.milliseconds')),
      })),
    )
    .execute();
}

/**
 * Submits a response. Of any number of concurrent calls, the first to take the row's lock moves
 * it; the others then find it submitted and resolve to `submitted: false` with the row as it is.
 */
export async function submitResponse(db: Kysely<Database>, id: string, at: Date): Promise<{ row: ResponseRow; submitted: boolean }> {
  const row = await db
    .updateTable('responses')
    .set({ status: 'submitted', submitted_at: at, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'in_progress')
    .returningAll()
    .executeTakeFirst();
  if (row) return { row, submitted: true };
  const existing = await getResponse(db, id);
  if (!existing) throw new ResponseError(`response ${id} does not exist`);
  return { row: existing, submitted: false };
}

export interface SubmitWhere {
  responseId: string;
  instrumentId: string;
  waveName: string;
  at: Date;
}

/**
 * Submits a response in one statement if, and only if, it is complete, still in progress, and its
 * wave is the one named and open at `at`. Resolves to false otherwise, without saying why: the
 * caller works that out on the slower path. This is the path nearly every submission takes.
 */
export async function submitIfReady(db: Kysely<Database>, where: SubmitWhere): Promise<boolean> {
  // Written as SQL rather than built: this runs once per submission, on the hottest path there is.
  const result = await sql<{ id: string }>`
    update responses r set status = 'submitted', submitted_at = ${where.at}, updated_at = ${where.at}
    from waves w
    where w.id = r.wave_id and r.id = ${where.responseId} and r.status = 'in_progress' and r.complete
      and w.instrument_id = ${where.instrumentId} and w.name = ${where.waveName} and w.status = 'open'
      and w.opens_at <= ${where.at} and (w.closes_at is null or w.closes_at > ${where.at})
    returning r.id`.execute(db);
  return result.rows.length > 0;
}

export function listResponses(db: Kysely<Database>, waveId: number, status?: 'in_progress' | 'submitted'): Promise<ResponseRow[]> {
  let query = db.selectFrom('responses').selectAll().where('wave_id', '=', waveId);
  if (status) query = query.where('status', '=', status);
  return query.orderBy('started_at').orderBy('id').execute();
}

export function findResponseByInvitation(db: Kysely<Database>, invitationId: number): Promise<ResponseRow | undefined> {
  return db.selectFrom('responses').selectAll().where('invitation_id', '=', invitationId).executeTakeFirst();
}

export function findResponseByResumeCode(db: Kysely<Database>, waveId: number, resumeCodeHash: string): Promise<ResponseRow | undefined> {
  return db
    .selectFrom('responses')
    .selectAll()
    .where('wave_id', '=', waveId)
    .where('resume_code_hash', '=', resumeCodeHash)
    .executeTakeFirst();
}

/** Gives an in-progress response another resume code (the old one stops working). */
export async function setResumeCode(db: Kysely<Database>, id: string, resumeCodeHash: string): Promise<void> {
  const row = await db
    .updateTable('responses')
    .set({ resume_code_hash: resumeCodeHash })
    .where('id', '=', id)
    .where('status', '=', 'in_progress')
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new ResponseError(`response ${id} does not exist or has already been submitted`);
}

/** A response with its wave, in one round trip: what every respondent request starts from. */
export async function findResponseWithWave(db: Kysely<Database>, id: string): Promise<{ response: ResponseRow; wave: WaveRow } | undefined> {
  const row = await db
    .selectFrom('responses')
    .innerJoin('waves', 'waves.id', 'responses.wave_id')
    .selectAll('responses')
    .select([
      'waves.instrument_id as w_instrument_id',
      'waves.name as w_name',
      'waves.instrument_version_id as w_instrument_version_id',
      'waves.status as w_status',
      'waves.opens_at as w_opens_at',
      'waves.closes_at as w_closes_at',
      'waves.access as w_access',
      'waves.listed as w_listed',
      'waves.created_at as w_created_at',
    ])
    .where('responses.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { w_instrument_id, w_name, w_instrument_version_id, w_status, w_opens_at, w_closes_at, w_access, w_listed, w_created_at, ...response } = row;
  return {
    response,
    wave: {
      id: response.wave_id,
      instrument_id: w_instrument_id,
      name: w_name,
      instrument_version_id: w_instrument_version_id,
      status: w_status,
      opens_at: w_opens_at,
      closes_at: w_closes_at,
      access: w_access,
      listed: w_listed,
      created_at: w_created_at,
    },
  };
}
