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
import { datasetFromRows, type Dataset, type ReadOptions } from './dataset.ts';

const BATCH = 5000;

/**
 * Submitted responses of `wave`, read in batches in a fixed order (by submission time, then id),
 * with a sha256 of the rows read for the manifest.
 */
export async function readResponsesFromStore(
  db: Kysely<Database>,
  instrument: Instrument,
  wave: string,
  options: ReadOptions,
): Promise<{ dataset?: Dataset; problems: Problem[]; hash: string; versions: string[] }> {
  const columns = columnsOf(instrument);
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
      hash.update(`${JSON.stringify(cells)}\n`);
      versions.add(row.version);
      rows.push(cells);
    }
    if (batch.length < BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { submitted: new Date(last.submitted_at!), id: last.id };
  }
  const result = datasetFromRows('the database', instrument, columns.map((c) => c.name), rows, options);
  return { ...result, hash: hash.digest('hex'), versions: [...versions].sort() };
}
