/**
 * `tapestry weights attach|list`: weights made elsewhere for a wave's responses, read from a CSV
 * (`response_id,weight`) and attached under a name that a pipeline's design gives as its `weight`.
 * All or nothing: every problem is reported at its `file:line`, and nothing is stored if there is one.
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import Papa from 'papaparse';
import { sha256 } from '../pipeline/provenance.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { findWave, listWaves } from '../store/waves.ts';
import { attachWeights, listWeightSets, WeightsError, type WeightRow } from '../store/weights.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';

/** The rows of a weights file, or every problem with its shape. */
export function readWeightsFile(text: string, file: string): WeightRow[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const [header = [], ...records] = parsed.data;
  const names = header.map((h) => h.trim());
  const problems: string[] = [];
  const idAt = names.indexOf('response_id');
  const weightAt = names.indexOf('weight');
  if (idAt < 0 || weightAt < 0) throw new UserError(`${file}:1: the header must have the columns response_id and weight, not ${names.join(',') || 'nothing'}`);
  const rows: WeightRow[] = [];
  records.forEach((record, index) => {
    const where = `${file}:${index + 2}`;
    const id = (record[idAt] ?? '').trim();
    const text = (record[weightAt] ?? '').trim();
    if (id === '') problems.push(`${where}: response_id is empty`);
    if (!/^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) problems.push(`${where}: weight ${JSON.stringify(text)} is not a positive number`);
    else rows.push({ where, responseId: id.toLowerCase(), weight: Number(text) });
  });
  if (records.length === 0) problems.push(`${file}: there are no rows after the header`);
  if (problems.length) throw new UserError(problems.join('\n'));
  return rows;
}

export function weightsCommand(program: Command, io: Io): void {
  const weights = program.command('weights').description("weights made elsewhere for a wave's responses, for a pipeline's design");

  weights
    .command('attach')
    .description('attaches weights (a CSV of response_id,weight) to a wave under a name; attaching the same name again replaces them')
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .argument('<file>', 'CSV with the columns response_id and weight, one row per submitted response')
    .requiredOption('--wave <name>', 'the wave')
    .option('--name <name>', "the set's name, which a pipeline's design gives as its weight", 'weight')
    .action(async (instrumentId: string, fileArg: string, opts: { wave: string; name: string }) => {
      const path = resolve(io.cwd, fileArg);
      const shown = relative(io.cwd, path) || fileArg;
      const content = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        throw new UserError(`${shown}: cannot read the weights: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
      });
      const rows = readWeightsFile(content.toString('utf8'), shown);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await findWave(store.db, instrumentId, opts.wave);
        if (!wave) {
          const known = (await listWaves(store.db, instrumentId)).map((w) => w.name);
          throw new UserError(`${instrumentId} has no wave named ${opts.wave}${known.length ? ` (its waves: ${known.join(', ')})` : ''}`);
        }
        try {
          const { replaced } = await attachWeights(store.db, commandActor(io), io.now(), wave, opts.name, sha256(content), rows);
          io.err(`${replaced ? 'replaced' : 'attached'} weights ${opts.name} for ${rows.length} responses of wave ${wave.name} of ${instrumentId}\n`);
        } catch (error) {
          if (error instanceof WeightsError) throw new UserError(error.problems.join('\n'));
          throw error;
        }
      });
    });

  weights
    .command('list')
    .description("a wave's weight sets")
    .argument('<instrument>', 'instrument id')
    .requiredOption('--wave <name>', 'the wave')
    .action(async (instrumentId: string, opts: { wave: string }) => {
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await findWave(store.db, instrumentId, opts.wave);
        if (!wave) throw new UserError(`${instrumentId} has no wave named ${opts.wave}`);
        const sets = await listWeightSets(store.db, wave.id);
        const counts = await Promise.all(sets.map((s) => store.db.selectFrom('response_weights').select((eb) => eb.fn.countAll<string>().as('n')).where('weight_set_id', '=', s.id).executeTakeFirstOrThrow()));
        io.out(textTable([['name', 'responses', 'sha256', 'attached'], ...sets.map((s, i) => [s.name, String(counts[i]!.n), s.source_sha256.slice(0, 12), new Date(s.attached_at).toISOString().replace('.000Z', 'Z')])], 1));
      });
    });
}
