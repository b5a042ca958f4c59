/** A wave's targets: how many responses it aims for in each sector × tier. */
import type { Kysely } from 'kysely';
import type { Database, WaveTargetRow } from './database.ts';

export interface Target {
  sector: string;
  /** '' when the instrument asks no tier. */
  tier: string;
  target: number;
}

/**
 * Replaces the wave's targets with `targets`, in one transaction so that monitoring never sees
 * half of an old set and half of a new one. A cell left out has no target.
 */
export async function setWaveTargets(db: Kysely<Database>, waveId: number, targets: readonly Target[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('wave_targets').where('wave_id', '=', waveId).execute();
    if (targets.length === 0) return;
    await trx
      .insertInto('wave_targets')
      .values(targets.map((t) => ({ wave_id: waveId, sector: t.sector, tier: t.tier, target: t.target })))
      .execute();
  });
}

export function listWaveTargets(db: Kysely<Database>, waveId: number): Promise<WaveTargetRow[]> {
  return db.selectFrom('wave_targets').selectAll().where('wave_id', '=', waveId).orderBy('sector').orderBy('tier').execute();
}
