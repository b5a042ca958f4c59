/**
 * `tapestry wave open|close|targets|list`: a study's waves from the command line. A wave fields
 * one published version of an instrument over a period; a wave whose period lies ahead opens by
 * itself when it starts, and one with an end closes by itself then (the service checks the period
 * on every request). Opening, closing and setting targets go through store/wave-changes.ts, as
 * the workspace's do, so both write the same audit rows.
 */
import type { Command } from 'commander';
import { Instrument } from '../instrument/schema.ts';
import { strataCells, strataOf, stratumProblem, stratumText, type Strata, type StratumKey } from '../instrument/strata.ts';
import { isoInstant, readInstant } from '../shared/instant.ts';
import { WAVE_ACCESS, type WaveRow } from '../store/database.ts';
import { findInstrumentVersion, getInstrumentVersion, listInstrumentVersions } from '../store/instrument-versions.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { Store } from '../store/open.ts';
import { listWaveTargets, readTarget, TARGET_MAX, type Target } from '../store/targets.ts';
import { accessText, closeWaveRecorded, openWaveRecorded, setWaveTargetsRecorded } from '../store/wave-changes.ts';
import { findWave, listWaves, waveNameProblem, wavePeriodProblem, waveState, WaveError } from '../store/waves.ts';
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
  target: string[];
}

/**
 * An ISO 8601 date or date and time with its offset, as `--opens` and `--closes` take them: a
 * time without an offset would mean different moments on different machines.
 */
export function parseInstant(option: string, text: string): Date {
  const date = readInstant(text);
  if (!date) throw new UserError(`${option} must be a date (2026-09-01, meaning midnight UTC) or a time with its offset (2026-09-01T09:00:00Z, 2026-09-01T09:00+01:00), not ${JSON.stringify(text)}`);
  return date;
}

const iso = (value: Date | string | null) => (value === null ? '' : isoInstant(value));
const collect = (value: string, previous: string[]) => [...previous, value];
const TARGET_HELP = 'a target for one stratum, repeatable: <sector>/<tier>=<n>, or <sector>=<n> when the instrument asks no tier';

/**
 * The targets `--target` gave, checked against the instrument's sectors and tiers: each names a
 * stratum the instrument has, once, with a whole number of responses.
 */
export function readTargetOptions(instrumentId: string, strata: Strata | undefined, texts: readonly string[]): Target[] {
  if (texts.length === 0) return [];
  if (!strata) throw new UserError(`${instrumentId} asks no sector as a single choice, so its waves take no targets`);
  const seen = new Set<string>();
  return texts.map((text) => {
    const match = /^([^/=\s]+)(?:\/([^/=\s]+))?=(.*)$/.exec(text.trim());
    if (!match) throw new UserError(`--target must be <sector>/<tier>=<n>, or <sector>=<n> when the instrument asks no tier, not ${JSON.stringify(text)}`);
    const key: StratumKey = { sector: match[1]!, tier: match[2] ?? '' };
    const problem = stratumProblem(strata, key);
    if (problem) throw new UserError(`--target ${text}: ${instrumentId} ${problem}`);
    const target = readTarget(match[3]!);
    if (target === undefined) throw new UserError(`--target ${text}: the target must be a whole number of responses from 0 to ${TARGET_MAX}`);
    if (seen.has(stratumText(key))) throw new UserError(`--target ${stratumText(key)} is given more than once`);
    seen.add(stratumText(key));
    return { ...key, target };
  });
}

/** What the rules of waves refuse is the user's to put right: its message, without a stack. */
async function asUserError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof WaveError) throw new UserError(error.message);
    throw error;
  }
}

/** The strata of the version a wave fields. */
async function strataOfVersion(store: Store, versionId: number): Promise<Strata | undefined> {
  const version = await getInstrumentVersion(store.db, versionId);
  return version ? strataOf(Instrument.parse(version.definition)) : undefined;
}

/** The wave of that name, or an error that names the waves the instrument has. */
export async function requireWave(store: Store, instrumentId: string, name: string): Promise<WaveRow> {
  const found = await findWave(store.db, instrumentId, name);
  if (found) return found;
  const known = (await listWaves(store.db, instrumentId)).map((w) => w.name);
  throw new UserError(`${instrumentId} has no wave named ${name}${known.length ? ` (its waves: ${known.join(', ')})` : ''}`);
}

/** Every stratum of the instrument with its target, or "none". */
function targetsTable(strata: Strata, targets: readonly Target[]): string {
  const byCell = new Map(targets.map((t) => [stratumText(t), t.target]));
  const hasTier = strata.tiers.length > 0;
  const rows = strataCells(strata).map((cell) => {
    const target = byCell.get(stratumText(cell));
    return [cell.sector, ...(hasTier ? [cell.tier] : []), target === undefined ? 'none' : String(target)];
  });
  return textTable([['sector', ...(hasTier ? ['tier'] : []), 'target'], ...rows], hasTier ? 2 : 1);
}

export function waveCommand(program: Command, io: Io): void {
  const wave = program.command('wave').description('open, close and list the waves of published instruments, and set their targets');

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
    .option('--target <stratum=n>', TARGET_HELP, collect, [])
    .action(async (instrumentId: string, name: string, opts: OpenOptions) => {
      const access = WAVE_ACCESS.find((mode) => mode === opts.access);
      if (!access) throw new UserError(`--access must be open or invitation, not ${opts.access}`);
      const badName = waveNameProblem(name);
      if (badName) throw new UserError(badName);
      const opensAt = opts.opens === undefined ? io.now() : parseInstant('--opens', opts.opens);
      const closesAt = opts.closes === undefined ? null : parseInstant('--closes', opts.closes);
      const badPeriod = wavePeriodProblem(opensAt, closesAt, io.now());
      if (badPeriod === 'closes-before-opens') throw new UserError(`--closes (${iso(closesAt)}) must be after the wave opens (${iso(opensAt)})`);
      if (badPeriod === 'closes-past') throw new UserError(`--closes (${iso(closesAt)}) is already past`);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const versions = (await listInstrumentVersions(store.db)).filter((v) => v.instrument_id === instrumentId);
        if (versions.length === 0) throw new UserError(`no version of ${instrumentId} is published (publish it first with tapestry publish FILE)`);
        const version = opts.version === undefined ? versions[versions.length - 1]! : await findInstrumentVersion(store.db, instrumentId, opts.version);
        if (!version) throw new UserError(`${instrumentId} has no published version ${opts.version} (its versions: ${versions.map((v) => v.version).join(', ')})`);
        const targets = readTargetOptions(instrumentId, strataOf(Instrument.parse(version.definition)), opts.target);
        const row = await asUserError(openWaveRecorded(store.db, commandActor(io), io.now(), {
          instrumentId,
          instrumentVersionId: version.id,
          name,
          opensAt,
          closesAt,
          access,
          listed: !opts.unlisted,
          version: version.version,
          targets,
        }));
        const state = waveState(row, io.now());
        const withTargets = targets.length === 0 ? '' : `, ${targets.length} target${targets.length === 1 ? '' : 's'}`;
        io.out(`${state === 'scheduled' ? 'scheduled' : 'opened'}  ${instrumentId} wave ${row.name}: version ${version.version}, ${accessText(row)}, from ${iso(row.opens_at)}${row.closes_at ? ` to ${iso(row.closes_at)}` : ''}${withTargets}\n`);
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
        const found = await requireWave(store, instrumentId, name);
        const { wave: row, beforeOpening } = await asUserError(closeWaveRecorded(store.db, commandActor(io), io.now(), found));
        io.out(beforeOpening ? `closed  ${instrumentId} wave ${row.name} before it opened (it was to open at ${iso(found.opens_at)})\n` : `closed  ${instrumentId} wave ${row.name} at ${iso(row.closes_at)}\n`);
      });
    });

  wave
    .command('targets')
    .description('show a wave’s targets by sector and tier, or replace them with those given by --target')
    .argument('<instrument>', 'instrument id')
    .argument('<wave>', 'the wave’s name')
    .option('--target <stratum=n>', `${TARGET_HELP}; the strata not given then have no target`, collect, [])
    .option('--clear', 'remove every target of the wave')
    .action(async (instrumentId: string, name: string, opts: { target: string[]; clear?: boolean }) => {
      if (opts.clear && opts.target.length > 0) throw new UserError('--clear removes every target: give it without --target');
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const found = await requireWave(store, instrumentId, name);
        const strata = await strataOfVersion(store, found.instrument_version_id);
        if (opts.clear || opts.target.length > 0) {
          const targets = readTargetOptions(instrumentId, strata, opts.target);
          await setWaveTargetsRecorded(store.db, commandActor(io), io.now(), found, targets);
          io.out(targets.length === 0 ? `removed every target of ${instrumentId} wave ${name}\n` : `set ${targets.length} target${targets.length === 1 ? '' : 's'} of ${instrumentId} wave ${name}\n`);
        }
        if (!strata) return io.out(`${instrumentId} asks no sector as a single choice, so its waves take no targets\n`);
        io.out(targetsTable(strata, await listWaveTargets(store.db, found.id)));
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
