import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { strataCells, strataOf } from '../../src/instrument/strata.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { listWaveTargets, setWaveTargets } from '../../src/store/targets.ts';
import { openWave } from '../../src/store/waves.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const sector = { id: 'sector', type: 'single', text: 'Sector?', options: { public: 'Public', private: 'Private' } };
const tier = { id: 'tier', type: 'single', text: 'Tier?', options: { frontline: 'Front line', senior: 'Senior' } };

describe('the strata an instrument is watched by', () => {
  it('crosses every sector with every tier, in the instrument’s order', () => {
    const strata = strataOf(testInstrument([[sector, tier]]))!;
    expect(strataCells(strata)).toEqual([
      { sector: 'public', tier: 'frontline' },
      { sector: 'public', tier: 'senior' },
      { sector: 'private', tier: 'frontline' },
      { sector: 'private', tier: 'senior' },
    ]);
  });

  it('takes each sector as one stratum when the instrument asks no tier', () => {
    expect(strataCells(strataOf(testInstrument([[sector]]))!)).toEqual([
      { sector: 'public', tier: '' },
      { sector: 'private', tier: '' },
    ]);
  });

  it('finds no strata in an instrument that asks no sector as a single choice', () => {
    expect(strataOf(testInstrument([[{ id: 'sector', type: 'text', text: 'Sector?' }]]))).toBeUndefined();
  });
});

describe(`a wave's targets on ${backend}`, () => {
  let store: TestStore;
  let waveId: number;

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    const instrument = testInstrument([[sector, tier]]);
    const { row } = await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    waveId = (await openWave(store.db, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name: '2026' })).id;
  });
  afterAll(() => store.dispose());

  it('replaces the whole set each time, so a cell left out loses its target', async () => {
    await setWaveTargets(store.db, waveId, [
      { sector: 'public', tier: 'senior', target: 40 },
      { sector: 'private', tier: 'senior', target: 25 },
    ]);
    await setWaveTargets(store.db, waveId, [{ sector: 'public', tier: 'senior', target: 50 }]);
    expect(await listWaveTargets(store.db, waveId)).toEqual([{ wave_id: waveId, sector: 'public', tier: 'senior', target: 50 }]);
  });

  it('refuses a negative target and keeps the set it had', async () => {
    await expect(setWaveTargets(store.db, waveId, [{ sector: 'private', tier: 'frontline', target: -1 }])).rejects.toThrow();
    expect(await listWaveTargets(store.db, waveId)).toHaveLength(1);
  });
});
