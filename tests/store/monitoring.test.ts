import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { countResponsesByStratum } from '../../src/store/monitoring.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { openWave } from '../../src/store/waves.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const sector = { id: 'sector', type: 'single', text: 'Sector?', options: { public: 'Public', private: 'Private' } };
const tier = { id: 'tier', type: 'single', text: 'Tier?', options: { frontline: 'Front line', senior: 'Senior' } };
const at = new Date('2026-09-15T10:00:00Z');

describe(`counting a wave's responses by stratum on ${backend}`, () => {
  let store: TestStore;
  let versionId: number;
  let instrumentId: string;

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    const instrument = testInstrument([[sector, tier]]);
    const { row } = await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    versionId = row.id;
    instrumentId = row.instrument_id;
  });
  afterAll(() => store.dispose());

  async function respond(waveId: number, answers: Record<string, unknown>, submit: boolean) {
    const response = (await startResponse(store.db, { waveId, instrumentVersionId: versionId }))!;
    await saveProgress(store.db, response.id, { answers, complete: submit, currentPage: null }, at);
    if (submit) await submitResponse(store.db, response.id, at);
  }

  it('counts started and submitted responses of one wave only, by sector and tier, with those not yet placed under no sector', async () => {
    const wave = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'counted' });
    const other = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'other' });
    await respond(wave.id, { sector: 'public', tier: 'senior' }, true);
    await respond(wave.id, { sector: 'public', tier: 'senior' }, false);
    await respond(wave.id, { sector: 'private', tier: 'frontline' }, true);
    await respond(wave.id, { sector: 'private' }, false);
    await respond(wave.id, {}, false);
    await respond(other.id, { sector: 'public', tier: 'senior' }, true);

    expect(await countResponsesByStratum(store.db, wave.id)).toEqual([
      { sector: 'private', tier: '', started: 1, submitted: 0 },
      { sector: 'private', tier: 'frontline', started: 1, submitted: 1 },
      { sector: 'public', tier: 'senior', started: 2, submitted: 1 },
      { sector: null, tier: '', started: 1, submitted: 0 },
    ]);
  });

  it('counts nothing for a wave without responses', async () => {
    const wave = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'empty' });
    expect(await countResponsesByStratum(store.db, wave.id)).toEqual([]);
  });
});
