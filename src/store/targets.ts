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
 * The largest target a cell may have. The column is a 32-bit integer; a million responses in
 * one sector × tier is beyond any study this is for, so a larger number is a slip of the keyboard.
 */
export const TARGET_MAX = 1_000_000;

/** A target as typed: a whole number from 0 to `TARGET_MAX`, or undefined when it is not one. */
export function readTarget(text: string): number | undefined {
  const written = text.trim();
  if (!/^\d{1,7}$/.test(written)) return undefined;
  const value = Number(written);
  return value <= TARGET_MAX ? value : undefined;
}

/**
 * Replaces the wave's targets with `targets`, in one transaction so that monitoring never sees
 * half of an old set and half of a new one (the caller's, when it passes one, so that its audit
 * row goes with the change). A cell left out has no target.
 */
export async function setWaveTargets(db: Kysely<Database>, waveId: number, targets: readonly Target[]): Promise<void> {
  const replace = async (trx: Kysely<Database>) => {
    await trx.deleteFrom('wave_targets').where('wave_id', '=', waveId).execute();
    if (targets.length === 0) return;
    await trx
      .insertInto('wave_targets')
      .values(targets.map((t) => ({ wave_id: waveId, sector: t.sector, tier: t.tier, target: t.target })))
      .execute();
  };
  // Kysely cannot begin a transaction inside one; inside one, the caller's is the one that counts.
  if (db.isTransaction) await replace(db);
  else await db.transaction().execute(replace);
}

export function listWaveTargets(db: Kysely<Database>, waveId: number): Promise<WaveTargetRow[]> {
  return db.selectFrom('wave_targets').selectAll().where('wave_id', '=', waveId).orderBy('sector').orderBy('tier').execute();
}
