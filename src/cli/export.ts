/**
 * `tapestry export <instrument> --wave W`: a wave's raw data in the formats asked for, with its
 * codebook, read from the store page by page and written whole or not at all; each run is one
 * `exported` row of the audit log.
 */
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../export/bundle.ts';
import { exportWave } from '../export/from-store.ts';
import { Instrument } from '../instrument/schema.ts';
import { getInstrumentVersion, listInstrumentVersions } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { Store } from '../store/open.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { requireWave } from './wave.ts';

const FORMAT_CHOICES = [...EXPORT_FORMATS, 'all'] as const;

interface ExportOptions {
  wave: string;
  format: (typeof FORMAT_CHOICES)[number];
  includePartial?: boolean;
  out?: string;
}

async function requireInstrument(store: Store, instrumentId: string): Promise<void> {
  const ids = [...new Set((await listInstrumentVersions(store.db)).map((v) => v.instrument_id))];
  if (!ids.includes(instrumentId)) {
    throw new UserError(`no instrument ${instrumentId} is published${ids.length ? ` (published: ${ids.join(', ')})` : '; publish one with tapestry publish'}`);
  }
}

/** A failure of the file system (which has a system call) as a message; anything else goes on as it is. */
function fileError(error: unknown, shown: string): never {
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (code === undefined || syscall === undefined) throw error;
  const why = code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way of the folder' : (error as Error).message;
  throw new UserError(`cannot write the export to ${shown}: ${why}`);
}

export function exportCommand(program: Command, io: Io): void {
  program
    .command('export')
    .description("writes a wave's raw data with its codebook: CSV, labelled CSV, xlsx, SPSS, Stata, R or a Data Package")
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .requiredOption('--wave <name>', 'the wave')
    .addOption(new Option('--format <format>', 'what to write').choices(FORMAT_CHOICES).default('csv'))
    .option('--include-partial', 'responses still in progress too (their submitted_at is empty)')
    .option('--out <dir>', 'the folder to write to (default exports/<instrument>-<wave>/)')
    .action(async (instrumentId: string, opts: ExportOptions) => {
      const formats: ExportFormat[] = opts.format === 'all' ? [...EXPORT_FORMATS] : [opts.format];
      const dir = resolve(io.cwd, opts.out ?? `exports/${instrumentId}-${opts.wave}`);
      const shown = relative(io.cwd, dir) || '.';
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        await requireInstrument(store, instrumentId);
        const wave = await requireWave(store, instrumentId, opts.wave);
        const version = await getInstrumentVersion(store.db, wave.instrument_version_id);
        const instrument = Instrument.parse(version!.definition);
        const includePartial = opts.includePartial === true;
        const result = await exportWave(store.db, commandActor(io), io.now(), { instrument, wave, formats, asked: opts.format, includePartial, dir, folder: shown }).catch((error: unknown) => fileError(error, shown));
        const files = result.files.map((file) => relative(dir, file));
        io.out(`${files.map((file) => `${shown}/${file}`).join('\n')}\n`);
        io.err(`${result.summary} to ${shown}\n`);
      });
    });
}
