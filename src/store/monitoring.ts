/**
 * Monitoring a wave in the field: how many responses have started and been submitted, by sector
 * and tier. Only counts leave the database here, never a response or an answer, so these are
 * safe to show to every role that may monitor.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';

export interface StratumCount {
  /** The response's answer to `sector`, or null when it has none yet. */
  sector: string | null;
  /** Its answer to `tier`; '' when it has none (as for an instrument that asks no tier). */
  tier: string;
  /** Every response begun in the stratum, submitted ones included. */
  started: number;
  submitted: number;
}

/**
 * The wave's responses counted by their answers to `sector` and `tier`, one row per pair found,
 * in a stable order. A response that has not reached those questions yet counts under sector
 * null. The counting is done by the database, so the responses themselves are never read.
 */
export async function countResponsesByStratum(db: Kysely<Database>, waveId: number): Promise<StratumCount[]> {
  // `->>` gives the answer as text; a choice is stored as its option id, a string.
  const sector = sql<string | null>`answers->>'sector'`;
  const tier = sql<string>`coalesce(answers->>'tier', '')`;
  const rows = await db
    .selectFrom('responses')
    .select([
      sector.as('sector'),
      tier.as('tier'),
      (eb) => eb.fn.countAll<string | number>().as('started'),
      sql<string | number>`count(*) filter (where status = 'submitted')`.as('submitted'),
    ])
    .where('wave_id', '=', waveId)
    .groupBy([sector, tier])
    .orderBy(sector)
    .orderBy(tier)
    .execute();
  return rows.map((row) => ({ sector: row.sector, tier: row.tier, started: Number(row.started), submitted: Number(row.submitted) }));
}

/** What a domain of the wave's responses comes to: those with one answer to a question, or all. */
export interface DomainFigures {
  /** The answer the domain's responses gave (as text), null for those that have none yet; null for the whole wave. */
  value: string | null;
  started: number;
  submitted: number;
  /** Median of submitted_at − started_at over the submitted responses, in minutes; null with none. */
  medianMinutes: number | null;
}

/** Where responses in progress have stopped: the page each was last on, null before the first was saved. */
export interface StopFigures {
  value: string | null;
  page: string | null;
  inProgress: number;
}

// The answer as text; a choice is stored as its option id, a string. The question's id is a
// parameter, so each query groups by position: `answers->>$1` in the select list and `answers->>$2`
// in GROUP BY would be two different expressions to PostgreSQL.
const answerTo = (question: string) => sql<string | null>`answers->>${question}`;
const startedCount = sql<string | number>`count(*)`;
const submittedCount = sql<string | number>`count(*) filter (where status = 'submitted')`;
// extract gives numeric; percentile_cont orders double precision.
const medianSeconds = sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from (submitted_at - started_at))::float8) filter (where status = 'submitted')`;
const byPosition = sql`1`;

/** Code point order, the same on every database whatever its collation; nulls (no answer) last. */
function byValue<T extends { value: string | null }>(a: T, b: T): number {
  if (a.value === b.value) return 0;
  if (a.value === null) return 1;
  if (b.value === null) return -1;
  return a.value < b.value ? -1 : 1;
}

const toFigures = (row: { value: string | null; started: string | number; submitted: string | number; median: number | string | null }): DomainFigures => ({
  value: row.value,
  started: Number(row.started),
  submitted: Number(row.submitted),
  medianMinutes: row.median === null ? null : Number(row.median) / 60,
});

/** The whole wave's figures, counted by the database: one row even for a wave without responses. */
export async function waveFigures(db: Kysely<Database>, waveId: number): Promise<DomainFigures> {
  const row = await db
    .selectFrom('responses')
    .select([sql<null>`null`.as('value'), startedCount.as('started'), submittedCount.as('submitted'), medianSeconds.as('median')])
    .where('wave_id', '=', waveId)
    .executeTakeFirstOrThrow();
  return toFigures(row);
}

/** The wave's figures by the answer to `question`, one row per answer found (none yet included). */
export async function waveFiguresByAnswer(db: Kysely<Database>, waveId: number, question: string): Promise<DomainFigures[]> {
  const rows = await db
    .selectFrom('responses')
    .select([answerTo(question).as('value'), startedCount.as('started'), submittedCount.as('submitted'), medianSeconds.as('median')])
    .where('wave_id', '=', waveId)
    .groupBy(byPosition)
    .execute();
  return rows.map(toFigures).sort(byValue);
}

/**
 * Responses in progress counted by the page they stopped on, for the whole wave or by the answer
 * to `question`: where people leave the survey, without reading a response.
 */
export async function stopsByPage(db: Kysely<Database>, waveId: number, question?: string): Promise<StopFigures[]> {
  const value = question === undefined ? sql<string | null>`null::text` : answerTo(question);
  const rows = await db
    .selectFrom('responses')
    .select([value.as('value'), 'current_page', startedCount.as('count')])
    .where('wave_id', '=', waveId)
    .where('status', '=', 'in_progress')
    .groupBy([byPosition, sql`2`])
    .execute();
  return rows
    .map((row) => ({ value: row.value, page: row.current_page, inProgress: Number(row.count) }))
    .sort((a, b) => byValue(a, b) || byValue({ value: a.page }, { value: b.page }));
}

/** How many invitations the wave has. */
export async function countInvitations(db: Kysely<Database>, waveId: number): Promise<number> {
  const row = await db.selectFrom('invitations').select((eb) => eb.fn.countAll<string | number>().as('n')).where('wave_id', '=', waveId).executeTakeFirstOrThrow();
  return Number(row.n);
}
