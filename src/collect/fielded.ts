/**
 * Surveys in the field: a wave with the instrument version it fields. Published versions never
 * change, so each instance keeps the parsed instrument per version id; everything else is read
 * from the database on each request, which is what lets several instances share one study.
 */
import type { Kysely } from 'kysely';
import { Instrument } from '../instrument/schema.ts';
import type { Database, InstrumentVersionRow, WaveRow } from '../store/database.ts';
import { getInstrumentVersion } from '../store/instrument-versions.ts';
import { findWave, getWave } from '../store/waves.ts';

export interface Fielded {
  wave: WaveRow;
  version: InstrumentVersionRow;
  instrument: Instrument;
}

export class InstrumentCache {
  /** Published versions never change, so a version once read is kept for the process's life. */
  private readonly byVersion = new Map<number, { version: InstrumentVersionRow; instrument: Instrument }>();

  async get(db: Kysely<Database>, versionId: number): Promise<{ version: InstrumentVersionRow; instrument: Instrument } | undefined> {
    const cached = this.byVersion.get(versionId);
    if (cached) return cached;
    const version = await getInstrumentVersion(db, versionId);
    if (!version) return undefined;
    const entry = { version, instrument: Instrument.parse(version.definition) };
    this.byVersion.set(versionId, entry);
    return entry;
  }

  async fielded(db: Kysely<Database>, instrumentId: string, waveName: string): Promise<Fielded | undefined> {
    const wave = await findWave(db, instrumentId, waveName);
    if (!wave) return undefined;
    const found = await this.get(db, wave.instrument_version_id);
    return found && { wave, ...found };
  }

  async fieldedById(db: Kysely<Database>, waveId: number): Promise<Fielded | undefined> {
    const wave = await getWave(db, waveId);
    if (!wave) return undefined;
    const found = await this.get(db, wave.instrument_version_id);
    return found && { wave, ...found };
  }
}
