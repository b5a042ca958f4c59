/**
 * Changes to a wave, each written with its audit row in one transaction: opening (with its
 * targets), closing, and setting targets. `tapestry wave` and the workspace both change waves
 * through these functions, so that the two follow the same rules and the log records them in the
 * same words, whoever acted.
 */
import type { Kysely } from 'kysely';
import { isoInstant } from '../shared/instant.ts';
import { appendAudit, type Actor, type NewAuditEntry } from './audit.ts';
import type { Database, WaveAccess, WaveRow } from './database.ts';
import { listWaveTargets, setWaveTargets, type Target } from './targets.ts';
import { closeWave, openWave, waveState, WaveError, type OpenWaveInput } from './waves.ts';

/** Who may start, as `tapestry wave list` and the audit log say it. */
export function accessText(wave: { access: WaveAccess; listed: boolean }): string {
  return wave.access === 'invitation' ? 'invitation' : wave.listed ? 'open' : 'open, unlisted';
}

/** A wave's period as the log says it: "from … to …", or "from …" when it has no end. */
export function periodText(wave: Pick<WaveRow, 'opens_at' | 'closes_at'>): string {
  return `from ${isoInstant(wave.opens_at)}${wave.closes_at ? ` to ${isoInstant(wave.closes_at)}` : ''}`;
}

/** Targets as the log keeps them: every cell set, in a stable order. */
function targetDetails(targets: readonly Target[]) {
  return [...targets]
    .sort((a, b) => (a.sector === b.sector ? (a.tier < b.tier ? -1 : a.tier > b.tier ? 1 : 0) : a.sector < b.sector ? -1 : 1))
    .map((t) => ({ sector: t.sector, tier: t.tier, target: t.target }));
}

/** The audit row of a wave opened, or scheduled when its period lies ahead of `at`. */
export function waveOpenedEntry(actor: Actor, at: Date, wave: WaveRow, version: string, targets: readonly Target[] = []): NewAuditEntry {
  return {
    ...actor,
    at,
    action: 'wave-opened',
    instrumentId: wave.instrument_id,
    wave: wave.name,
    summary: `${new Date(wave.opens_at) > at ? 'scheduled' : 'opened'} wave ${wave.name} of ${wave.instrument_id} (version ${version}, ${accessText(wave)}), ${periodText(wave)}`,
    details: {
      version,
      instrument_version_id: wave.instrument_version_id,
      access: wave.access,
      listed: wave.listed,
      opens_at: isoInstant(wave.opens_at),
      closes_at: wave.closes_at === null ? null : isoInstant(wave.closes_at),
      targets: targetDetails(targets),
    },
  };
}

/** The audit row of a wave closed at `closed.closes_at`, or called off before it opened. */
export function waveClosedEntry(actor: Actor, at: Date, closed: WaveRow, beforeOpening: boolean): NewAuditEntry {
  const { name, instrument_id: instrumentId } = closed;
  return {
    ...actor,
    at,
    action: 'wave-closed',
    instrumentId,
    wave: name,
    summary: beforeOpening ? `called off wave ${name} of ${instrumentId} before it opened` : `closed wave ${name} of ${instrumentId}`,
    details: { closes_at: closed.closes_at === null ? null : isoInstant(closed.closes_at), before_opening: beforeOpening },
  };
}

/** The audit row of a wave's targets replaced: the set before and the set after. */
export function waveTargetsEntry(actor: Actor, at: Date, wave: WaveRow, before: readonly Target[], after: readonly Target[]): NewAuditEntry {
  const total = after.reduce((sum, t) => sum + t.target, 0);
  const what = after.length === 0 ? 'removed every target' : `set ${after.length} target${after.length === 1 ? '' : 's'} (${total} responses in all)`;
  return {
    ...actor,
    at,
    action: 'wave-targets-set',
    instrumentId: wave.instrument_id,
    wave: wave.name,
    summary: `${what} for wave ${wave.name} of ${wave.instrument_id}`,
    details: { before: targetDetails(before), after: targetDetails(after) },
  };
}

export interface WaveOpening extends OpenWaveInput {
  /** The version's own name ("1.1"), for the log. */
  version: string;
  targets: readonly Target[];
}

/**
 * Opens (or schedules) a wave with its targets and its audit row, all or nothing. A wave of that
 * name already there is a `WaveError`, and nothing is written.
 */
export function openWaveRecorded(db: Kysely<Database>, actor: Actor, at: Date, opening: WaveOpening): Promise<WaveRow> {
  const { version, targets, ...input } = opening;
  return db.transaction().execute(async (trx) => {
    const wave = await openWave(trx, input);
    await setWaveTargets(trx, wave.id, targets);
    await appendAudit(trx, waveOpenedEntry(actor, at, wave, version, targets));
    return wave;
  });
}

/**
 * Closes a wave at `at` with its audit row. A wave that has not opened yet is called off: it
 * closes at the moment it would have opened, so it never takes a response. A wave closed
 * already (by hand, or by its period's end) is a `WaveError`, and nothing is written.
 */
export async function closeWaveRecorded(db: Kysely<Database>, actor: Actor, at: Date, wave: WaveRow): Promise<{ wave: WaveRow; beforeOpening: boolean }> {
  const state = waveState(wave, at);
  if (state === 'closed') {
    throw new WaveError(`wave ${wave.name} of ${wave.instrument_id} is closed already (since ${wave.closes_at === null ? 'its period ended' : isoInstant(wave.closes_at)})`);
  }
  const beforeOpening = state === 'scheduled';
  const closed = await db.transaction().execute(async (trx) => {
    const row = await closeWave(trx, wave.id, beforeOpening ? new Date(wave.opens_at) : at);
    await appendAudit(trx, waveClosedEntry(actor, at, row, beforeOpening));
    return row;
  });
  return { wave: closed, beforeOpening };
}

/** Replaces a wave's targets with `targets`, with an audit row naming the set before and after. */
export async function setWaveTargetsRecorded(db: Kysely<Database>, actor: Actor, at: Date, wave: WaveRow, targets: readonly Target[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await listWaveTargets(trx, wave.id);
    await setWaveTargets(trx, wave.id, targets);
    await appendAudit(trx, waveTargetsEntry(actor, at, wave, before, targets));
  });
}
