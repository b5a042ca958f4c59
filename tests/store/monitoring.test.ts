import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { countInvitations, countResponsesByStratum, medianMinutesToSubmit, stopsByPage, tallyWave, waveFigures, waveFiguresByAnswer } from '../../src/store/monitoring.ts';
import { createInvitations } from '../../src/store/invitations.ts';
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

  /** A response started at `start` and, given `minutes`, submitted that many minutes later. */
  async function timed(waveId: number, answers: Record<string, unknown>, minutes: number | null, page: string | null = null) {
    const start = new Date('2026-09-15T09:00:00Z');
    const response = (await startResponse(store.db, { waveId, instrumentVersionId: versionId, startedAt: start }))!;
    await saveProgress(store.db, response.id, { answers, complete: minutes !== null, currentPage: page }, start);
    if (minutes !== null) await submitResponse(store.db, response.id, new Date(start.getTime() + minutes * 60_000));
  }

  it('gives the median time to complete, overall and by an answer, and where responses in progress stopped', async () => {
    const wave = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'timed' });
    await timed(wave.id, { sector: 'public' }, 10);
    await timed(wave.id, { sector: 'public' }, 20);
    await timed(wave.id, { sector: 'public' }, 45);
    await timed(wave.id, { sector: 'private' }, 12);
    await timed(wave.id, { sector: 'private' }, 15);
    await timed(wave.id, { sector: 'private' }, null, 'p2');
    await timed(wave.id, { sector: 'public' }, null, 'p2');
    await timed(wave.id, { sector: 'public' }, null, 'p3');
    await timed(wave.id, {}, null);

    expect(await waveFigures(store.db, wave.id)).toEqual({ value: null, started: 9, submitted: 5, medianMinutes: 15 });
    expect(await waveFiguresByAnswer(store.db, wave.id, 'sector')).toEqual([
      { value: 'private', started: 3, submitted: 2, medianMinutes: 13.5 },
      { value: 'public', started: 5, submitted: 3, medianMinutes: 20 },
      { value: null, started: 1, submitted: 0, medianMinutes: null },
    ]);
    expect(await stopsByPage(store.db, wave.id)).toEqual([
      { value: null, page: 'p2', inProgress: 2 },
      { value: null, page: 'p3', inProgress: 1 },
      { value: null, page: null, inProgress: 1 },
    ]);
    expect(await medianMinutesToSubmit(store.db, wave.id)).toBe(15);
    // The monitoring page's one pass gives the same strata, stops and days as the counts one by one.
    const tally = await tallyWave(store.db, wave.id);
    expect(tally.stops).toEqual(await stopsByPage(store.db, wave.id));
    expect(tally.strata).toEqual([
      { sector: 'private', tier: '', started: 3, submitted: 2 },
      { sector: 'public', tier: '', started: 5, submitted: 3 },
      { sector: null, tier: '', started: 1, submitted: 0 },
    ]);
    expect(tally.days).toEqual([{ day: '2026-09-15', submitted: 5 }]);
    expect(await stopsByPage(store.db, wave.id, 'sector')).toEqual([
      { value: 'private', page: 'p2', inProgress: 1 },
      { value: 'public', page: 'p2', inProgress: 1 },
      { value: 'public', page: 'p3', inProgress: 1 },
      { value: null, page: null, inProgress: 1 },
    ]);
  });

  it('gives no median and no stops for a wave without responses, and counts its invitations', async () => {
    const wave = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'quiet' });
    expect(await waveFigures(store.db, wave.id)).toEqual({ value: null, started: 0, submitted: 0, medianMinutes: null });
    expect(await waveFiguresByAnswer(store.db, wave.id, 'sector')).toEqual([]);
    expect(await stopsByPage(store.db, wave.id)).toEqual([]);
    expect(await tallyWave(store.db, wave.id)).toEqual({ strata: [], stops: [], days: [] });
    expect(await medianMinutesToSubmit(store.db, wave.id)).toBeNull();
    expect(await countInvitations(store.db, wave.id)).toBe(0);
    await createInvitations(store.db, wave.id, [{}, {}, {}]);
    expect(await countInvitations(store.db, wave.id)).toBe(3);
  });
});
