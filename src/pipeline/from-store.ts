/**
 * Responses of one wave read from the database into a dataset, through the same column layout
 * and cell checks as a CSV, so that a pipeline gives the same tables from either.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { cellsOf, columnsOf } from '../instrument/columns.ts';
import type { Instrument } from '../instrument/schema.ts';
import type { Problem } from '../shared/yaml-source.ts';
import type { Database } from '../store/database.ts';
import { listWaves } from '../store/waves.ts';
import { listWeightSets } from '../store/weights.ts';
import { datasetFromRows, type Dataset, type ReadOptions } from './dataset.ts';

const BATCH = 5000;

/** A wave the database does not have: a report of it would be a report of nobody. */
export class UnknownWaveError extends Error {
  override name = 'UnknownWaveError';
}

/**
 * Submitted responses of `wave`, read in batches in a fixed order (by submission time, then id),
 * with a sha256 of the rows read for the manifest. A wave the instrument does not have is an
 * `UnknownWaveError` naming the waves it has; a wave with no submissions yet is read as empty.
 */
export async function readResponsesFromStore(
  db: Kysely<Database>,
  instrument: Instrument,
  wave: string,
  options: ReadOptions,
): Promise<{ dataset?: Dataset; problems: Problem[]; hash: string; versions: string[] }> {
  const waves = (await listWaves(db, instrument.id)).map((w) => w.name);
  if (!waves.includes(wave)) {
    const has = waves.length === 0 ? 'it has no waves yet; open one with tapestry publish --open-wave' : `its waves: ${waves.join(', ')}`;
    throw new UnknownWaveError(`${instrument.id} has no wave ${wave} in the database (${has})`);
  }
  const columns = columnsOf(instrument);
  // Weights attached to the wave (`tapestry weights attach`) under a name the design gives as its
  // weight come as a numeric column of that name, after the layout's, as a CSV's weight column would.
  const waveId = (await db.selectFrom('waves').select('id').where('instrument_id', '=', instrument.id).where('name', '=', wave).executeTakeFirstOrThrow()).id;
  const weightSets = (await listWeightSets(db, waveId)).filter((set) => options.numeric.includes(set.name));
  const hash = createHash('sha256');
  const rows: string[][] = [];
  const versions = new Set<string>();
  let after: { submitted: Date; id: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom('responses')
      .innerJoin('waves', 'waves.id', 'responses.wave_id')
      .innerJoin('instrument_versions', 'instrument_versions.id', 'responses.instrument_version_id')
      .select(['responses.id', 'responses.answers', 'responses.submitted_at', 'instrument_versions.version', 'waves.name'])
      .select((eb) =>
        weightSets.map((set, i) =>
          eb
            .selectFrom('response_weights')
            .select('response_weights.weight')
            .where('response_weights.weight_set_id', '=', set.id)
            .whereRef('response_weights.response_id', '=', 'responses.id')
            .as(`weight_${i}`),
        ),
      )
      .where('waves.instrument_id', '=', instrument.id)
      .where('waves.name', '=', wave)
      .where('responses.status', '=', 'submitted')
      .orderBy('responses.submitted_at')
      .orderBy('responses.id')
      .limit(BATCH);
    if (after) {
      const { submitted, id } = after;
      query = query.where((eb) => eb.or([eb('responses.submitted_at', '>', submitted), eb.and([eb('responses.submitted_at', '=', submitted), eb('responses.id', '>', id)])]));
    }
    const batch = await query.execute();
    for (const row of batch) {
      const submittedAt = new Date(row.submitted_at!).toISOString();
      const cells = cellsOf(columns, { responseId: row.id, wave: row.name, instrumentVersion: row.version, submittedAt }, row.answers as Record<string, unknown>);
      const weighed = row as unknown as Record<string, number | null>;
      for (let i = 0; i < weightSets.length; i++) cells.push(weighed[`weight_${i}`] === null ? '' : String(weighed[`weight_${i}`]));
      hash.update(`${JSON.stringify(cells)}\n`);
      versions.add(row.version);
      rows.push(cells);
    }
    if (batch.length < BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { submitted: new Date(last.submitted_at!), id: last.id };
  }
  const result = datasetFromRows('the database', instrument, [...columns.map((c) => c.name), ...weightSets.map((set) => set.name)], rows, options);
  return { ...result, hash: hash.digest('hex'), versions: [...versions].sort() };
}
