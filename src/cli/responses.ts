/**
 * `tapestry responses import`: responses from a CSV in the column layout (paper questionnaires
 * keyed in, another platform's export re-shaped) stored as submitted responses of a wave. Every
 * row is checked as a submission is, every problem reported at its `file:line`, and nothing is
 * stored if there is one.
 */
import { readFile } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { readResponseFile } from '../export/response-file.ts';
import { Instrument } from '../instrument/schema.ts';
import { sha256 } from '../pipeline/provenance.ts';
import { formatProblem } from '../shared/yaml-source.ts';
import { getInstrumentVersion } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { ImportError, importResponses } from '../store/response-import.ts';
import { findWave, listWaves } from '../store/waves.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

const SOURCE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,79}$/u;

export function responsesCommand(program: Command, io: Io): void {
  const responses = program.command('responses').description("a wave's responses brought in from elsewhere");

  responses
    .command('import')
    .description('stores the responses of a CSV in the column layout as submitted responses of a wave, all or none')
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .argument('<file>', 'CSV in the layout `tapestry survey columns` prints: response_id, wave, instrument_version, submitted_at, then the questions')
    .requiredOption('--wave <name>', 'the wave the responses belong to')
    .option('--source <name>', "where the responses came from, kept with each (default: the file's name)")
    .action(async (instrumentId: string, fileArg: string, opts: { wave: string; source?: string }) => {
      const path = resolve(io.cwd, fileArg);
      const shown = relative(io.cwd, path) || fileArg;
      const source = opts.source ?? basename(path);
      if (!SOURCE_NAME.test(source)) throw new UserError(`--source must be 1 to 80 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit, not ${JSON.stringify(source)}`);
      const content = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        throw new UserError(`${shown}: cannot read the responses: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
      });
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await findWave(store.db, instrumentId, opts.wave);
        if (!wave) {
          const known = (await listWaves(store.db, instrumentId)).map((w) => w.name);
          throw new UserError(`${instrumentId} has no wave named ${opts.wave}${known.length ? ` (its waves: ${known.join(', ')})` : ' (publish it and open a wave first)'}`);
        }
        const version = (await getInstrumentVersion(store.db, wave.instrument_version_id))!;
        const instrument = Instrument.parse(version.definition);
        const file = readResponseFile(content.toString('utf8'), shown, instrument, { wave: wave.name, version: version.version });
        if (file.problems.length > 0) throw new UserError(`no responses were imported:\n${file.problems.map(formatProblem).join('\n')}`);
        try {
          const { imported } = await importResponses(store.db, commandActor(io), io.now(), wave, file.rows, { name: source, sha256: sha256(content), file: shown });
          io.err(`imported ${imported} response${imported === 1 ? '' : 's'} into wave ${wave.name} of ${instrumentId} from ${source}\n`);
        } catch (error) {
          if (error instanceof ImportError) throw new UserError(`no responses were imported:\n${error.problems.join('\n')}`);
          throw error;
        }
      });
    });
}
