/** Waves: one instrument version fielded over a period, open for responses or closed. */
import type { Kysely } from 'kysely';
import type { Database, WaveRow } from './database.ts';

export class WaveError extends Error {
  override name = 'WaveError';
}

export interface OpenWaveInput {
  instrumentId: string;
  instrumentVersionId: number;
  name: string;
  opensAt?: Date;
  closesAt?: Date | null;
}

export async function openWave(db: Kysely<Database>, input: OpenWaveInput): Promise<WaveRow> {
  const row = await db
    .insertInto('waves')
    .values({
      instrument_id: input.instrumentId,
      instrument_version_id: input.instrumentVersionId,
      name: input.name,
      opens_at: input.opensAt,
      closes_at: input.closesAt ?? null,
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
