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
