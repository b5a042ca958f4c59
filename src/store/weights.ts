/**
 * Weights made outside tapestry, attached to a wave's submitted responses under a name. A set is
 * attached whole or not at all: every row names a submitted response of the wave, once, with a
 * positive finite weight, and every submitted response has one; attaching a set of the same name
 * again replaces it, with its audit row, in one transaction.
 */
import type { Kysely } from 'kysely';
import { inTransaction } from './accounts.ts';
import { appendAudit, type Actor } from './audit.ts';
import type { Database, WaveRow } from './database.ts';

export const WEIGHT_SET_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export interface WeightRow {
  /** Where the row is, for messages: `file:line`. */
  where: string;
  responseId: string;
  weight: number;
}

export class WeightsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'WeightsError';
  }
}

/** Checks the rows against the wave's submitted responses; the problems, each at its row, or none. */
export async function weightProblems(db: Kysely<Database>, wave: Pick<WaveRow, 'id' | 'name' | 'instrument_id'>, rows: readonly WeightRow[]): Promise<string[]> {
  const submitted = new Set((await db.selectFrom('responses').select('id').where('wave_id', '=', wave.id).where('status', '=', 'submitted').execute()).map((r) => r.id));
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const row of rows) {
    if (!(row.weight > 0 && Number.isFinite(row.weight))) problems.push(`${row.where}: weight ${row.weight} is not a positive number`);
    if (seen.has(row.responseId)) problems.push(`${row.where}: response ${row.responseId} has a weight already, at ${seen.get(row.responseId)}`);
    else if (!submitted.has(row.responseId)) problems.push(`${row.where}: response ${row.responseId} is not a submitted response of wave ${wave.name} of ${wave.instrument_id}`);
    seen.set(row.responseId, row.where);
  }
  const missing = [...submitted].filter((id) => !seen.has(id)).sort();
  if (missing.length) problems.push(`${missing.length} submitted response${missing.length === 1 ? ' has' : 's have'} no weight, e.g. ${missing.slice(0, 3).join(', ')}: a set must weigh every response of the wave`);
  return problems;
}

export async function attachWeights(
  db: Kysely<Database>,
  actor: Actor,
  at: Date,
  wave: Pick<WaveRow, 'id' | 'name' | 'instrument_id'>,
  name: string,
  sourceSha256: string,
  rows: readonly WeightRow[],
): Promise<{ replaced: boolean }> {
  if (!WEIGHT_SET_NAME.test(name)) throw new WeightsError([`the set's name must be lower-case letters, digits and _ (starting with a letter), as a pipeline's design names it, not ${JSON.stringify(name)}`]);
  return inTransaction(db, async (trx) => {
    const problems = await weightProblems(trx, wave, rows);
    if (problems.length) throw new WeightsError(problems);
    const old = await trx.deleteFrom('weight_sets').where('wave_id', '=', wave.id).where('name', '=', name).returning('id').executeTakeFirst();
    const { id } = await trx.insertInto('weight_sets').values({ wave_id: wave.id, name, source_sha256: sourceSha256, attached_at: at }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < rows.length; i += 5_000) {
      await trx
        .insertInto('response_weights')
        .values(rows.slice(i, i + 5_000).map((r) => ({ weight_set_id: id, response_id: r.responseId, weight: r.weight })))
        .execute();
    }
    await appendAudit(trx, {
      ...actor,
      at,
      action: 'weights-attached',
      instrumentId: wave.instrument_id,
      wave: wave.name,
      summary: `${old ? 'replaced' : 'attached'} weights ${name} for ${rows.length} responses of wave ${wave.name} of ${wave.instrument_id}`,
      details: { name, responses: rows.length, source_sha256: sourceSha256 },
    });
    return { replaced: old !== undefined };
  });
}

/** The weight sets attached to a wave, by name. */
export function listWeightSets(db: Kysely<Database>, waveId: number) {
  return db.selectFrom('weight_sets').select(['id', 'name', 'source_sha256', 'attached_at']).where('wave_id', '=', waveId).orderBy('name').execute();
}

/**
 * The weights of these responses in these sets, as response id → set id → weight: what a reader of
 * a wave page by page asks for each page, so the wave's weights are never all held at once.
 */
export async function weightsOf(db: Kysely<Database>, weightSetIds: readonly number[], responseIds: readonly string[]): Promise<Map<string, Map<number, number>>> {
  const weights = new Map<string, Map<number, number>>();
  if (weightSetIds.length === 0 || responseIds.length === 0) return weights;
  const rows = await db
    .selectFrom('response_weights')
    .select(['response_id', 'weight_set_id', 'weight'])
    .where('weight_set_id', 'in', weightSetIds)
    .where('response_id', 'in', responseIds)
    .execute();
  for (const row of rows) {
    let of = weights.get(row.response_id);
    if (of === undefined) weights.set(row.response_id, (of = new Map()));
    of.set(row.weight_set_id, Number(row.weight));
  }
  return weights;
}
