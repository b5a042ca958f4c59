/** Waves: one instrument version fielded over a period, open for responses or closed. */
import type { Kysely } from 'kysely';
import type { Database, WaveAccess, WaveRow } from './database.ts';

/**
 * A wave's name is part of its survey's address and of report directories: letters, digits and
 * `.`, `_`, `-`, starting with a letter or digit ("2010", "2026-spring").
 */
export const WAVE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class WaveError extends Error {
  override name = 'WaveError';
}

export interface OpenWaveInput {
  instrumentId: string;
  instrumentVersionId: number;
  name: string;
  opensAt?: Date;
  closesAt?: Date | null;
  /** Who may start a response (default `open`). */
  access?: WaveAccess;
  /** Listed on the home page (default true). */
  listed?: boolean;
}

/** What is wrong with a wave's name, or undefined when it may be one. */
export function waveNameProblem(name: string): string | undefined {
  if (WAVE_NAME_PATTERN.test(name)) return undefined;
  return `a wave's name must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 64), not ${JSON.stringify(name)}`;
}

/** What a respondent finds at the wave's address now, in the words the workspace and `tapestry wave` use. */
export function waveState(wave: Pick<WaveRow, 'status' | 'opens_at' | 'closes_at'>, now: Date): 'open' | 'scheduled' | 'closed' {
  if (wave.status === 'closed' || (wave.closes_at !== null && new Date(wave.closes_at) <= now)) return 'closed';
  return new Date(wave.opens_at) > now ? 'scheduled' : 'open';
}

/**
 * What is wrong with a period for a new wave, or undefined. A wave may open in the past (it is
 * then open from that moment), but an end at or before its start, or one already past, would
 * make a wave nobody could answer.
 */
export function wavePeriodProblem(opensAt: Date, closesAt: Date | null, now: Date): 'closes-before-opens' | 'closes-past' | undefined {
  if (closesAt === null) return undefined;
  if (closesAt <= opensAt) return 'closes-before-opens';
  if (closesAt <= now) return 'closes-past';
  return undefined;
}

export async function openWave(db: Kysely<Database>, input: OpenWaveInput): Promise<WaveRow> {
  const problem = waveNameProblem(input.name);
  if (problem) throw new WaveError(problem);
  const row = await db
    .insertInto('waves')
    .values({
      instrument_id: input.instrumentId,
      instrument_version_id: input.instrumentVersionId,
      name: input.name,
      opens_at: input.opensAt,
      closes_at: input.closesAt ?? null,
      access: input.access ?? 'open',
      listed: input.listed ?? true,
    })
    .onConflict((oc) => oc.columns(['instrument_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new WaveError(`${input.instrumentId} already has a wave named ${input.name}`);
  return row;
}

export function findWave(db: Kysely<Database>, instrumentId: string, name: string): Promise<WaveRow | undefined> {
  return db.selectFrom('waves').selectAll().where('instrument_id', '=', instrumentId).where('name', '=', name).executeTakeFirst();
}

export function getWave(db: Kysely<Database>, id: number): Promise<WaveRow | undefined> {
  return db.selectFrom('waves').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Open waves that the home page lists: open, listed, and anyone may start them. */
export function listListedOpenWaves(db: Kysely<Database>) {
  return db
    .selectFrom('waves')
    .innerJoin('instrument_versions', 'instrument_versions.id', 'waves.instrument_version_id')
    .select(['waves.instrument_id', 'waves.name', 'waves.status', 'waves.opens_at', 'waves.closes_at', 'instrument_versions.title'])
    .where('waves.status', '=', 'open')
    .where('waves.listed', '=', true)
    .where('waves.access', '=', 'open')
    .orderBy('instrument_versions.title')
    .orderBy('waves.name')
    .execute();
}

export function listWaves(db: Kysely<Database>, instrumentId?: string): Promise<WaveRow[]> {
  let query = db.selectFrom('waves').selectAll();
  if (instrumentId !== undefined) query = query.where('instrument_id', '=', instrumentId);
  return query.orderBy('instrument_id').orderBy('opens_at').orderBy('id').execute();
}

export async function closeWave(db: Kysely<Database>, waveId: number, at: Date): Promise<WaveRow> {
  const wave = await db.selectFrom('waves').selectAll().where('id', '=', waveId).executeTakeFirst();
  if (wave && new Date(wave.opens_at) > at) {
    throw new WaveError(`wave ${wave.name} of ${wave.instrument_id} opened at ${new Date(wave.opens_at).toISOString()} and cannot close before then`);
  }
  const row = await db
    .updateTable('waves')
    .set({ status: 'closed', closes_at: at })
    .where('id', '=', waveId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new WaveError(`wave ${waveId} does not exist or is already closed`);
  return row;
}

/** The open wave of an instrument, opening one called `name` on `versionId` if there is none. */
export async function ensureOpenWave(db: Kysely<Database>, input: OpenWaveInput): Promise<{ wave: WaveRow; created: boolean }> {
  const open = await db
    .selectFrom('waves')
    .selectAll()
    .where('instrument_id', '=', input.instrumentId)
    .where('status', '=', 'open')
    .orderBy('opens_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (open) return { wave: open, created: false };
  return { wave: await openWave(db, input), created: true };
}
