/** `tapestry publish` and `tapestry setup`: putting instruments into the store and opening waves. */
import { relative } from 'node:path';
import type { Command } from 'commander';
import type { LoadedInstrument } from '../instrument/load.ts';
import { appendAudit } from '../store/audit.ts';
import { publishInstrument, VersionConflictError } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { Store } from '../store/open.ts';
import { WAVE_ACCESS, type WaveAccess } from '../store/database.ts';
import { waveOpenedEntry } from '../store/wave-changes.ts';
import { ensureOpenWave, waveNameProblem, WaveError } from '../store/waves.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { loadInstruments } from './survey.ts';

export const BUNDLED_SURVEYS = 'surveys';

export async function publishAll(io: Io, store: Store, loaded: LoadedInstrument[]) {
  const published = [];
  for (const item of loaded) {
    try {
      // The version and its audit row together, or neither.
      const { row, created } = await store.db.transaction().execute(async (trx) => {
        const published = await publishInstrument(trx, item);
        if (published.created) {
          await appendAudit(trx, {
            ...commandActor(io),
            at: io.now(),
            action: 'published',
            instrumentId: published.row.instrument_id,
            summary: `published ${published.row.instrument_id} ${published.row.version}`,
            details: { version: published.row.version, content_hash: published.row.content_hash, file: relative(io.cwd, item.file) },
          });
        }
        return published;
      });
      io.out(`${created ? 'published' : 'unchanged'}  ${row.instrument_id} ${row.version}  (${item.contentHash.slice(0, 12)})\n`);
      published.push(row);
    } catch (error) {
      if (error instanceof VersionConflictError) throw new UserError(`${item.file}: ${error.message}`);
      throw error;
    }
  }
  return published;
}

export function publishCommand(program: Command, io: Io): void {
  program
    .command('publish')
    .description('publish instrument versions to the database (every version is kept)')
    .argument('<files...>', 'instrument YAML files or directories')
    .option('--open-wave <name>', 'also open a wave of this name for each instrument that has no open wave')
    .option('--access <mode>', 'who may start the new wave: open (anyone with its address) or invitation (personal links only)', 'open')
    .option('--unlisted', 'leave the new wave off the home page (it is still reached by its address)')
    .action(async (files: string[], opts: { openWave?: string; access: string; unlisted?: boolean }) => {
      const access = WAVE_ACCESS.find((mode) => mode === opts.access);
      if (!access) throw new UserError(`--access must be open or invitation, not ${opts.access}`);
      if (!opts.openWave && (opts.access !== 'open' || opts.unlisted)) throw new UserError('--access and --unlisted describe the wave that --open-wave opens: give --open-wave NAME too');
      // Checked before anything is published, so that a bad name leaves the database as it was.
      const badName = opts.openWave === undefined ? undefined : waveNameProblem(opts.openWave);
      if (badName) throw new UserError(`--open-wave: ${badName}`);
      const loaded = await loadInstruments(io, files);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const rows = await publishAll(io, store, loaded);
        if (opts.openWave) await openWaves(io, store, rows, opts.openWave, { access, listed: !opts.unlisted });
      });
    });
}

function describeAccess(wave: { access: WaveAccess; listed: boolean }): string {
  return `${wave.access === 'invitation' ? 'by invitation only' : 'open to anyone with the link'}${wave.listed || wave.access === 'invitation' ? '' : ', unlisted'}`;
}

export async function openWaves(
  io: Io,
  store: Store,
  rows: { id: number; instrument_id: string; version: string }[],
  name: string,
  settings: { access?: WaveAccess; listed?: boolean } = {},
) {
  for (const row of rows) {
    let opened;
    try {
      opened = await store.db.transaction().execute(async (trx) => {
        // Opened at the command's time, not the database's, so that a wave's period and its audit row agree.
        const result = await ensureOpenWave(trx, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name, opensAt: io.now(), ...settings });
        if (result.created) await appendAudit(trx, waveOpenedEntry(commandActor(io), io.now(), result.wave, row.version));
        return result;
      });
    } catch (error) {
      if (error instanceof WaveError) throw new UserError(error.message);
      throw error;
    }
    const { wave, created } = opened;
    // A wave already open keeps its settings: say so rather than report a mode it does not have.
    if (!created && ((settings.access !== undefined && settings.access !== wave.access) || (settings.listed !== undefined && settings.listed !== wave.listed && wave.access === 'open'))) {
      throw new UserError(
        `${row.instrument_id} already has an open wave, ${wave.name} (${describeAccess(wave)}); no wave was opened, and that one stays ${describeAccess(wave)} rather than ${describeAccess({ access: settings.access ?? wave.access, listed: settings.listed ?? wave.listed })}`,
      );
    }
    io.out(`${created ? 'opened' : 'open'}       ${row.instrument_id} wave ${wave.name} (${describeAccess(wave)})\n`);
  }
}

export function setupCommand(program: Command, io: Io): void {
  program
    .command('setup')
    .description('set up the database, publish the bundled instruments in surveys/ and make sure each has an open wave')
    .action(async () => {
      const loaded = await loadInstruments(io, [BUNDLED_SURVEYS]);
      await withStore(io, program.opts(), async (store) => {
        const applied = await migrateToLatest(store);
        io.out(`database   ${store.kind === 'pglite' ? 'embedded' : 'PostgreSQL'} at ${store.location}${applied.length ? ` (${applied.length} migrations applied)` : ''}\n`);
        const rows = await publishAll(io, store, loaded);
        await openWaves(io, store, rows, String(io.now().getUTCFullYear()));
      });
    });
}
