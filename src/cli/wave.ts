/**
 * `tapestry wave open|close|list`: a study's waves from the command line. A wave fields one
 * published version of an instrument over a period; a wave whose period lies ahead opens by itself
 * when it starts, and one with an end closes by itself then (the service checks the period on
 * every request).
 */
import type { Command } from 'commander';
import { appendAudit, type NewAuditEntry } from '../store/audit.ts';
import { WAVE_ACCESS, type WaveAccess, type WaveRow } from '../store/database.ts';
import { findInstrumentVersion, listInstrumentVersions } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { closeWave, findWave, listWaves, openWave, waveNameProblem, WaveError } from '../store/waves.ts';
import { commandActor } from './actor.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { textTable } from './text-table.ts';

interface OpenOptions {
  version?: string;
  access: string;
  unlisted?: boolean;
  opens?: string;
  closes?: string;
}

/**
 * An ISO 8601 date or date and time with its offset, as `--opens` and `--closes` take them: a
 * time without an offset would mean different moments on different machines.
 */
export function parseInstant(option: string, text: string): Date {
  const written = text.trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.exec(written);
  const date = match ? new Date(match[4] === undefined ? `${written}T00:00:00Z` : written) : undefined;
  // Date rolls 2026-02-30 over into March; the calendar day must be one that exists.
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const realDay = calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  if (!date || Number.isNaN(date.getTime()) || !realDay) {
    throw new UserError(`${option} must be a date (2026-09-01, meaning midnight UTC) or a time with its offset (2026-09-01T09:00:00Z, 2026-09-01T09:00+01:00), not ${JSON.stringify(text)}`);
  }
  return date;
}

/** What a respondent finds at the wave's address now. */
export function waveState(wave: Pick<WaveRow, 'status' | 'opens_at' | 'closes_at'>, now: Date): 'open' | 'scheduled' | 'closed' {
  if (wave.status === 'closed' || (wave.closes_at !== null && new Date(wave.closes_at) <= now)) return 'closed';
  return new Date(wave.opens_at) > now ? 'scheduled' : 'open';
}

const iso = (value: Date | string | null) => (value === null ? '' : new Date(value).toISOString().replace('.000Z', 'Z'));
const accessText = (wave: { access: WaveAccess; listed: boolean }) => (wave.access === 'invitation' ? 'invitation' : wave.listed ? 'open' : 'open, unlisted');

/** The audit row of a wave opened (or scheduled) from the command line. */
export function waveOpenedEntry(io: Io, wave: WaveRow, version: string): NewAuditEntry {
  const period = `from ${iso(wave.opens_at)}${wave.closes_at ? ` to ${iso(wave.closes_at)}` : ''}`;
  return {
    ...commandActor(io),
    at: io.now(),
    action: 'wave-opened',
    instrumentId: wave.instrument_id,
    wave: wave.name,
    summary: `${new Date(wave.opens_at) > io.now() ? 'scheduled' : 'opened'} wave ${wave.name} of ${wave.instrument_id} (version ${version}, ${accessText(wave)}), ${period}`,
    details: { version, instrument_version_id: wave.instrument_version_id, access: wave.access, listed: wave.listed, opens_at: iso(wave.opens_at), closes_at: wave.closes_at === null ? null : iso(wave.closes_at) },
  };
}

export function waveCommand(program: Command, io: Io): void {
  const wave = program.command('wave').description('open, close and list the waves of published instruments');

  wave
    .command('open')
    .description('open a wave of a published instrument: now, or over a period given with --opens and --closes')
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .argument('<wave>', 'the wave’s name: letters, digits, ".", "_" and "-", e.g. 2026 or 2026-spring')
    .option('--version <v>', 'the published version to field (default: the latest published)')
    .option('--access <mode>', 'who may start: open (anyone with the address) or invitation (personal links only)', 'open')
    .option('--unlisted', 'leave an open wave off the home page')
    .option('--opens <time>', 'when it opens (default now), e.g. 2026-09-01 or 2026-09-01T09:00:00+01:00')
    .option('--closes <time>', 'when it closes by itself (default: when `tapestry wave close` closes it)')
    .action(async (instrumentId: string, name: string, opts: OpenOptions) => {
      const access = WAVE_ACCESS.find((mode) => mode === opts.access);
      if (!access) throw new UserError(`--access must be open or invitation, not ${opts.access}`);
      const badName = waveNameProblem(name);
      if (badName) throw new UserError(badName);
      const opensAt = opts.opens === undefined ? io.now() : parseInstant('--opens', opts.opens);
      const closesAt = opts.closes === undefined ? null : parseInstant('--closes', opts.closes);
      if (closesAt && closesAt <= opensAt) throw new UserError(`--closes (${iso(closesAt)}) must be after the wave opens (${iso(opensAt)})`);
      if (closesAt && closesAt <= io.now()) throw new UserError(`--closes (${iso(closesAt)}) is already past`);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const versions = (await listInstrumentVersions(store.db)).filter((v) => v.instrument_id === instrumentId);
        if (versions.length === 0) throw new UserError(`no version of ${instrumentId} is published (publish it first with tapestry publish FILE)`);
        const version = opts.version === undefined ? versions[versions.length - 1]! : await findInstrumentVersion(store.db, instrumentId, opts.version);
        if (!version) throw new UserError(`${instrumentId} has no published version ${opts.version} (its versions: ${versions.map((v) => v.version).join(', ')})`);
        let row: WaveRow;
        try {
          row = await store.db.transaction().execute(async (trx) => {
            const opened = await openWave(trx, { instrumentId, instrumentVersionId: version.id, name, opensAt, closesAt, access, listed: !opts.unlisted });
            await appendAudit(trx, waveOpenedEntry(io, opened, version.version));
            return opened;
          });
        } catch (error) {
          if (error instanceof WaveError) throw new UserError(error.message);
          throw error;
        }
        const state = waveState(row, io.now());
        io.out(`${state === 'scheduled' ? 'scheduled' : 'opened'}  ${instrumentId} wave ${row.name}: version ${version.version}, ${accessText(row)}, from ${iso(row.opens_at)}${row.closes_at ? ` to ${iso(row.closes_at)}` : ''}\n`);
      });
    });

  wave
    .command('close')
    .description('close a wave now: respondents then find it closed (410), and what they sent is kept')
    .argument('<instrument>', 'instrument id')
    .argument('<wave>', 'the wave’s name')
    .action(async (instrumentId: string, name: string) => {
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const found = await findWave(store.db, instrumentId, name);
        if (!found) {
          const known = (await listWaves(store.db, instrumentId)).map((w) => w.name);
          throw new UserError(`${instrumentId} has no wave named ${name}${known.length ? ` (its waves: ${known.join(', ')})` : ''}`);
        }
        if (waveState(found, io.now()) === 'closed') throw new UserError(`wave ${name} of ${instrumentId} is closed already (since ${iso(found.closes_at)})`);
        // A wave that has not opened yet is called off: it closes at the moment it would have opened.
        const scheduled = waveState(found, io.now()) === 'scheduled';
        let row: WaveRow;
        try {
          row = await store.db.transaction().execute(async (trx) => {
            const closed = await closeWave(trx, found.id, scheduled ? new Date(found.opens_at) : io.now());
            await appendAudit(trx, {
              ...commandActor(io),
              at: io.now(),
              action: 'wave-closed',
              instrumentId,
              wave: name,
              summary: scheduled ? `called off wave ${name} of ${instrumentId} before it opened` : `closed wave ${name} of ${instrumentId}`,
              details: { closes_at: iso(closed.closes_at), before_opening: scheduled },
            });
            return closed;
          });
        } catch (error) {
          if (error instanceof WaveError) throw new UserError(error.message);
          throw error;
        }
        io.out(scheduled ? `closed  ${instrumentId} wave ${row.name} before it opened (it was to open at ${iso(found.opens_at)})\n` : `closed  ${instrumentId} wave ${row.name} at ${iso(row.closes_at)}\n`);
      });
    });

  wave
    .command('list')
    .description('list the waves, of one instrument or of all, with their version, state, access and period')
    .argument('[instrument]', 'only this instrument’s waves')
    .option('--json', 'print the waves as JSON')
    .action(async (instrumentId: string | undefined, opts: { json?: boolean }) => {
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const versions = new Map((await listInstrumentVersions(store.db)).map((v) => [v.id, v.version]));
        const now = io.now();
        const waves = (await listWaves(store.db, instrumentId)).map((w) => ({
          instrument: w.instrument_id,
          wave: w.name,
          version: versions.get(w.instrument_version_id) ?? '',
          state: waveState(w, now),
          access: w.access,
          listed: w.listed,
          opens: iso(w.opens_at),
          closes: iso(w.closes_at),
        }));
        if (opts.json) return io.out(`${JSON.stringify(waves, null, 2)}\n`);
        if (waves.length === 0) return io.out(instrumentId ? `${instrumentId} has no waves\n` : 'no waves\n');
        io.out(
          textTable(
            [
              ['instrument', 'wave', 'version', 'state', 'access', 'opens', 'closes'],
              ...waves.map((w) => [w.instrument, w.wave, w.version, w.state, accessText(w), w.opens, w.closes]),
            ],
            7,
          ),
        );
      });
    });
}
