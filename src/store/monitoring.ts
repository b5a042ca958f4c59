/**
 * Monitoring a wave in the field: how many people were invited and how many responses have
 * started and been submitted, by sector and tier, and day by day. Only counts leave the database
 * here, never a response, an answer or an invitee, so these are safe to show to every role that
 * may monitor.
 */
import { sql, type Kysely } from 'kysely';
import { prefillAnswers } from '../instrument/prefill.ts';
import type { Instrument } from '../instrument/schema.ts';
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

/** Responses submitted on one UTC day, written YYYY-MM-DD. */
export interface DayCount {
  day: string;
  submitted: number;
}

/** A wave's responses counted every way the monitoring page shows them, from one pass. */
export interface WaveTally {
  strata: StratumCount[];
  /** Responses in progress by the page they stopped on, for the whole wave. */
  stops: StopFigures[];
  days: DayCount[];
}

const DAY_MS = 24 * 3600 * 1000;
const rowCount = sql<string | number>`count(*)`;

/**
 * The wave's responses counted by sector, tier, status, the page in-progress ones stopped on and
 * the UTC day submitted ones came in, in one pass of the database over the index that holds those
 * columns (migration 0011) and never the responses themselves: a few hundred groups come back and
 * are added up here into strata, stops and days. A response that has not reached the sector
 * question yet counts under sector null.
 */
export async function tallyWave(db: Kysely<Database>, waveId: number): Promise<WaveTally> {
  // Whole days since 1970 in UTC, whatever the session's time zone: cheaper per row than
  // formatting a date, and written as one here. date_part, unlike extract, works in float8, not
  // numeric, which costs more than the rest of the pass together.
  const day = sql<number | null>`floor(date_part('epoch', submitted_at) / 86400)::int`;
  const stoppedOn = sql<string | null>`case when status = 'in_progress' then current_page end`;
  const rows = await db
    .selectFrom('responses')
    .select(['sector', 'tier', 'status', stoppedOn.as('page'), day.as('day'), rowCount.as('n')])
    .where('wave_id', '=', waveId)
    .groupBy(['sector', 'tier', 'status', sql`4`, sql`5`])
    .execute();
  const strata = new Map<string, StratumCount>();
  const stops = new Map<string | null, number>();
  const days = new Map<number, number>();
  for (const row of rows) {
    const n = Number(row.n);
    const key = JSON.stringify([row.sector, row.tier]);
    const stratum = strata.get(key) ?? strata.set(key, { sector: row.sector, tier: row.tier, started: 0, submitted: 0 }).get(key)!;
    stratum.started += n;
    if (row.status === 'submitted') {
      stratum.submitted += n;
      days.set(Number(row.day), (days.get(Number(row.day)) ?? 0) + n);
    } else stops.set(row.page, (stops.get(row.page) ?? 0) + n);
  }
  return {
    strata: [...strata.values()].sort((a, b) => byValue({ value: a.sector }, { value: b.sector }) || byValue({ value: a.tier }, { value: b.tier })),
    stops: [...stops].map(([page, inProgress]) => ({ value: null, page, inProgress })).sort((a, b) => byValue({ value: a.page }, { value: b.page })),
    days: [...days]
      .sort(([a], [b]) => a - b)
      .map(([d, submitted]) => ({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), submitted })),
  };
}

/** The wave's responses counted by their answers to `sector` and `tier`, one row per pair found, in a stable order. */
export async function countResponsesByStratum(db: Kysely<Database>, waveId: number): Promise<StratumCount[]> {
  return (await tallyWave(db, waveId)).strata;
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
//
// Sector and tier are read from their own columns (migration 0011), which an index holds, so
// counting by them never parses the answers; tier's column has '' for none, the answer null.
const answerTo = (question: string) =>
  question === 'sector' ? sql<string | null>`sector` : question === 'tier' ? sql<string | null>`nullif(tier, '')` : sql<string | null>`answers->>${question}`;
const startedCount = sql<string | number>`count(*)`;
const submittedCount = sql<string | number>`count(*) filter (where status = 'submitted')`;
// percentile_cont orders double precision, which date_part gives (extract gives numeric, slower).
const secondsTaken = sql`date_part('epoch', submitted_at - started_at)`;
const medianSeconds = sql<number | null>`percentile_cont(0.5) within group (order by ${secondsTaken}) filter (where status = 'submitted')`;
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

/** Median minutes from starting to submitting over the wave's submitted responses; null with none. */
export async function medianMinutesToSubmit(db: Kysely<Database>, waveId: number): Promise<number | null> {
  // Only the submitted ones, a range of the strata index; the sort is percentile_cont's own.
  const row = await db
    .selectFrom('responses')
    .select(sql<number | string | null>`percentile_cont(0.5) within group (order by ${secondsTaken})`.as('median'))
    .where('wave_id', '=', waveId)
    .where('status', '=', 'submitted')
    .executeTakeFirstOrThrow();
  return row.median === null ? null : Number(row.median) / 60;
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

/** Invitations whose invitee's attributes place them in one domain; value null: they do not. */
export interface InvitedCount {
  value: string | null;
  invited: number;
}

/** Invitations in one sector × tier, by the invitee's attributes, as `StratumCount` places responses. */
export interface InvitedStratum {
  /** null: the attributes give no sector that is an answer to the instrument's `sector`. */
  sector: string | null;
  /** '' when they give no tier that is an answer to `tier` (as for an instrument that asks none). */
  tier: string;
  invited: number;
}

// An attribute as the invitation's jsonb holds it; '' is no value, as prefillAnswers takes it.
// Grouped by position, as the answers are.
const attribute = (name: string) => sql<string | null>`nullif(attributes->>${name}, '')`;

/**
 * The answer to `question` an invitee's attribute `value` gives the response, as text (as
 * `answers->>` reads it), or null when it gives none: the rule of `invitationAnswers` in
 * collect/journey.ts, which prefills a response from its invitation, so an invitee is counted in
 * the domain that their response starts in.
 */
export function invitedAnswer(instrument: Instrument, question: string, value: string | null): string | null {
  if (value === null) return null;
  const answer = prefillAnswers(instrument, { [question]: value }).answers[question];
  return typeof answer === 'string' || typeof answer === 'number' ? String(answer) : null;
}

/**
 * The wave's invitations counted by the database by the invitee's attribute named `question`,
 * then placed by the answer each value gives (values giving one answer add up): one row per
 * answer found, those giving none (null) last.
 */
export async function countInvitationsByAnswer(db: Kysely<Database>, waveId: number, instrument: Instrument, question: string): Promise<InvitedCount[]> {
  const rows = await db
    .selectFrom('invitations')
    .select([attribute(question).as('value'), rowCount.as('invited')])
    .where('wave_id', '=', waveId)
    .groupBy(byPosition)
    .execute();
  const counts = new Map<string | null, number>();
  for (const row of rows) {
    const value = invitedAnswer(instrument, question, row.value);
    counts.set(value, (counts.get(value) ?? 0) + Number(row.invited));
  }
  return [...counts].map(([value, invited]) => ({ value, invited })).sort(byValue);
}

/** The wave's invitations by the sector and tier their attributes give, counted as `countInvitationsByAnswer` counts. */
export async function countInvitationsByStratum(db: Kysely<Database>, waveId: number, instrument: Instrument): Promise<InvitedStratum[]> {
  const rows = await db
    .selectFrom('invitations')
    .select([attribute('sector').as('sector'), attribute('tier').as('tier'), rowCount.as('invited')])
    .where('wave_id', '=', waveId)
    .groupBy([byPosition, sql`2`])
    .execute();
  const counts = new Map<string, InvitedStratum>();
  for (const row of rows) {
    const sector = invitedAnswer(instrument, 'sector', row.sector);
    const tier = invitedAnswer(instrument, 'tier', row.tier) ?? '';
    const key = JSON.stringify([sector, tier]);
    const into = counts.get(key) ?? counts.set(key, { sector, tier, invited: 0 }).get(key)!;
    into.invited += Number(row.invited);
  }
  return [...counts.values()].sort((a, b) => byValue({ value: a.sector }, { value: b.sector }) || byValue({ value: a.tier }, { value: b.tier }));
}

/** The wave's submitted responses counted by the UTC day they were submitted on, days with none left out, oldest first. */
export async function submissionsByDay(db: Kysely<Database>, waveId: number): Promise<DayCount[]> {
  return (await tallyWave(db, waveId)).days;
}
