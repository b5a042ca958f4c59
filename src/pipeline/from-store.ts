/**
 * Responses of one wave read from the database into a dataset, through the same column layout
 * and cell checks as a CSV, so that a pipeline gives the same tables from either.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { cellsOf, columnsOf } from '../instrument/columns.ts';
import { questionsOf, type Instrument } from '../instrument/schema.ts';
import type { Problem } from '../shared/yaml-source.ts';
import type { Database } from '../store/database.ts';
import { countInvitations, countInvitationsByAnswer } from '../store/monitoring.ts';
import { listWaves } from '../store/waves.ts';
import { responsePages } from '../store/response-pages.ts';
import { listWeightSets, weightsOf } from '../store/weights.ts';
import { collector, datasetBuilder, MAX_PROBLEMS, type Dataset, type ReadOptions } from './dataset.ts';
import type { InvitedCounts } from './who-answered.ts';

/** A wave the database does not have: a report of it would be a report of nobody. */
export class UnknownWaveError extends Error {
  override name = 'UnknownWaveError';
}

/**
 * Submitted responses of `wave`, read page by page in a fixed order (by id, see `response-pages.ts`),
 * with a sha256 of the rows read for the manifest. A wave the instrument does not have is an
 * `UnknownWaveError` naming the waves it has; a wave with no submissions yet is read as empty.
 */
export async function readResponsesFromStore(
  db: Kysely<Database>,
  instrument: Instrument,
  wave: string,
  options: ReadOptions,
): Promise<{ dataset?: Dataset; problems: Problem[]; hash: string; versions: string[] }> {
  const waveRows = await listWaves(db, instrument.id);
  const waves = waveRows.map((w) => w.name);
  const waveId = waveRows.find((w) => w.name === wave)?.id;
  if (waveId === undefined) {
    const has = waves.length === 0 ? 'it has no waves yet; open one with tapestry publish --open-wave' : `its waves: ${waves.join(', ')}`;
    throw new UnknownWaveError(`${instrument.id} has no wave ${wave} in the database (${has})`);
  }
  const columns = columnsOf(instrument);
  // Weights attached to the wave (`tapestry weights attach`) under a name the design gives as its
  // weight come as a numeric column of that name, after the layout's, as a CSV's weight column would.
  const weightSets = (await listWeightSets(db, waveId)).filter((set) => options.numeric.includes(set.name));
  const hash = createHash('sha256');
  const versions = new Set<string>();
  const problems = collector('the database', options.maxProblems ?? MAX_PROBLEMS);
  const builder = datasetBuilder(instrument, options, problems.report);
  builder.header([...columns.map((c) => c.name), ...weightSets.map((set) => set.name)]);
  let record = 1;
  // Page by page, each page's weights looked up for its ids alone: only the columnar dataset grows.
  for await (const page of responsePages(db, waveId)) {
    const weights = await weightsOf(
      db,
      weightSets.map((set) => set.id),
      page.map((response) => response.id),
    );
    for (const response of page) {
      const meta = { responseId: response.id, wave, instrumentVersion: response.instrumentVersion, submittedAt: response.submittedAt! };
      const cells = cellsOf(columns, meta, response.answers);
      const weighed = weights.get(response.id);
      for (const set of weightSets) {
        const weight = weighed?.get(set.id);
        cells.push(weight === undefined ? '' : String(weight));
      }
      hash.update(`${JSON.stringify(cells)}\n`);
      versions.add(response.instrumentVersion);
      builder.row(cells, ++record);
    }
  }
  const dataset = builder.finish();
  const all = problems.close();
  const result = all.length > 0 || !dataset ? { problems: all } : { dataset, problems: [] };
  return { ...result, hash: hash.digest('hex'), versions: [...versions].sort() };
}

/**
 * The wave's invitations, in all and by the answer each invitee's attributes give each of
 * `questions` (counted as the monitoring page counts them), for response rates; undefined when
 * the wave sent none, so a survey run by open link alone is not shown a rate of infinity.
 */
export async function readInvitationCounts(db: Kysely<Database>, instrument: Instrument, wave: string, questions: readonly string[]): Promise<InvitedCounts | undefined> {
  const waveId = (await listWaves(db, instrument.id)).find((w) => w.name === wave)?.id;
  if (waveId === undefined) return undefined;
  const total = await countInvitations(db, waveId);
  if (total === 0) return undefined;
  const asked = new Set(questionsOf(instrument).filter((q) => q.type === 'single' || q.type === 'scale').map((q) => q.id));
  const by: InvitedCounts['by'] = {};
  for (const question of questions) if (asked.has(question)) by[question] = await countInvitationsByAnswer(db, waveId, instrument, question);
  return { total, by };
}
