/**
 * Reading a wave's responses in keyset pages: every response once, in id order, pages no larger
 * than asked, submitted only unless partial ones are asked for, other waves never; and weights
 * looked up for one page's ids.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { responsePages, type StoredResponse } from '../../src/store/response-pages.ts';
import { openWave } from '../../src/store/waves.ts';
import { weightsOf } from '../../src/store/weights.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

describe(`a wave's responses in pages on ${backend}`, () => {
  let store: TestStore;
  let waveId: number;
  let submittedIds: string[];
  let partialIds: string[];

  const all = async (options: Parameters<typeof responsePages>[2]) => {
    const pages: StoredResponse[][] = [];
    for await (const page of responsePages(store.db, waveId, options)) pages.push(page);
    return pages;
  };

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    const instrument = testInstrument([[{ id: 'sector', type: 'single', text: 'Sector?', options: { public: 'Public', private: 'Private' } }]]);
    const { row: version } = await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    const now = new Date('2026-09-01T09:00:00Z');
    const wave = await openWave(store.db, { instrumentId: 'demo', name: '2026', instrumentVersionId: version.id, opensAt: now });
    const other = await openWave(store.db, { instrumentId: 'demo', name: '2027', instrumentVersionId: version.id, opensAt: now });
    waveId = wave.id;
    const row = (wave_id: number, status: 'submitted' | 'in_progress', i: number) => ({
      wave_id,
      instrument_version_id: version.id,
      status,
      answers: JSON.stringify({ sector: i % 2 === 0 ? 'public' : 'private' }),
      // Submission times run against id order, so a reader ordering by time would show it.
      submitted_at: status === 'submitted' ? new Date(Date.UTC(2026, 8, 30) - i * 60_000) : null,
    });
    await store.db.insertInto('responses').values([...Array.from({ length: 7 }, (_, i) => row(waveId, 'submitted', i)), ...Array.from({ length: 3 }, (_, i) => row(waveId, 'in_progress', i)), row(other.id, 'submitted', 0)]).execute();
    const ids = async (status: 'submitted' | 'in_progress') => (await store.db.selectFrom('responses').select('id').where('wave_id', '=', waveId).where('status', '=', status).execute()).map((r) => r.id).sort();
    submittedIds = await ids('submitted');
    partialIds = await ids('in_progress');
  });
  afterAll(() => store.dispose());

  it('yields every submitted response once, in id order, in pages of the size asked', async () => {
    const pages = await all({ pageSize: 3 });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((r) => r.id)).toEqual(submittedIds);
    expect(pages.flat().every((r) => r.status === 'submitted' && r.instrumentVersion === '1')).toBe(true);
    expect(pages.flat()[0]!.answers).toHaveProperty('sector');
  });

  it('adds the responses in progress when asked, with no submission time', async () => {
    const pages = await all({ pageSize: 4, includePartial: true });
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    const read = pages.flat();
    expect(read.map((r) => r.id)).toEqual([...submittedIds, ...partialIds].sort());
    expect(read.filter((r) => r.status === 'in_progress').map((r) => r.submittedAt)).toEqual([null, null, null]);
  });

  it('gives each submission time as toISOString writes it, in UTC to the millisecond', async () => {
    const read = (await all({})).flat();
    const stored = await store.db.selectFrom('responses').select(['id', 'submitted_at']).where('wave_id', '=', waveId).where('status', '=', 'submitted').execute();
    const expected = new Map(stored.map((r) => [r.id, new Date(r.submitted_at!).toISOString()]));
    expect(read.map((r) => r.submittedAt)).toEqual(read.map((r) => expected.get(r.id)));
    expect(read.map((r) => r.submittedAt)).toContain('2026-09-29T23:59:00.000Z');
  });

  it('drops the microseconds of a submission time, as a Date would, in any time zone of the session', async () => {
    const { instrument_version_id: versionId } = await store.db.selectFrom('responses').select('instrument_version_id').where('wave_id', '=', waveId).executeTakeFirstOrThrow();
    const precise = await openWave(store.db, { instrumentId: 'demo', name: 'precise', instrumentVersionId: versionId, opensAt: new Date('2026-09-01T09:00:00Z') });
    const times = ['2026-09-30 23:59:59.999999+00', '2026-03-29 00:30:00.000500+00', '2026-10-25 01:15:00.123456+02'];
    await sql`insert into responses (wave_id, instrument_version_id, status, answers, submitted_at)
      select ${precise.id}, ${versionId}, 'submitted', '{}'::jsonb, t::timestamptz from unnest(${times}::text[]) as t`.execute(store.db);
    // One connection, so that the time zone set is the one the pages are read in.
    const read = await store.db.connection().execute(async (db) => {
      await sql`set time zone 'Europe/London'`.execute(db);
      try {
        const times: (string | null)[] = [];
        for await (const page of responsePages(db, precise.id)) times.push(...page.map((r) => r.submittedAt));
        return times;
      } finally {
        await sql`reset time zone`.execute(db);
      }
    });
    expect(read.sort()).toEqual(['2026-03-29T00:30:00.000Z', '2026-09-30T23:59:59.999Z', '2026-10-24T23:15:00.123Z']);
  });

  it('ends without an empty page when the wave fills the last page exactly', async () => {
    expect((await all({ pageSize: 7 })).map((p) => p.length)).toEqual([7]);
  });

  it('starts after a given id, so that a page read before can be followed by the next', async () => {
    const rest = (await all({ pageSize: 2, after: submittedIds[2]! })).flat();
    expect(rest.map((r) => r.id)).toEqual(submittedIds.slice(3));
    expect((await all({ after: submittedIds[6]! })).flat()).toEqual([]);
  });

  it('gives the source of an imported response, and null for one answered on the survey', async () => {
    const { instrument_version_id: versionId } = await store.db.selectFrom('responses').select('instrument_version_id').where('wave_id', '=', waveId).executeTakeFirstOrThrow();
    const imported = await openWave(store.db, { instrumentId: 'demo', name: '2028', instrumentVersionId: versionId, opensAt: new Date('2026-09-01T09:00:00Z') });
    const base = { wave_id: imported.id, instrument_version_id: versionId, status: 'submitted' as const, answers: JSON.stringify({}), submitted_at: new Date('2026-09-30T00:00:00Z') };
    await store.db.insertInto('responses').values([{ ...base, source: 'paper-forms', source_sha256: 'ab'.repeat(32) }, base]).execute();
    const read = [];
    for await (const page of responsePages(store.db, imported.id)) read.push(...page);
    expect(read.map((r) => [r.source, r.sourceSha256]).sort()).toEqual([[null, null], ['paper-forms', 'ab'.repeat(32)]]);
    expect((await all({})).flat().every((r) => r.source === null && r.sourceSha256 === null)).toBe(true);
  });

  it('refuses a page size that is not a positive whole number', async () => {
    await expect(all({ pageSize: 0 })).rejects.toThrow('a page holds a whole number of responses above 0, not 0');
  });

  it('looks up the weights of one page\'s responses only', async () => {
    const { id: setId } = await store.db.insertInto('weight_sets').values({ wave_id: waveId, name: 'weight', source_sha256: 'x', attached_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    await store.db.insertInto('response_weights').values(submittedIds.map((id, i) => ({ weight_set_id: setId, response_id: id, weight: i + 0.5 }))).execute();
    const [first] = await all({ pageSize: 2 });
    const weights = await weightsOf(store.db, [setId], first!.map((r) => r.id));
    expect([...weights.keys()]).toEqual(expect.arrayContaining(first!.map((r) => r.id)));
    expect(weights.size).toBe(2);
    expect(weights.get(submittedIds[1]!)!.get(setId)).toBe(1.5);
    expect((await weightsOf(store.db, [], submittedIds)).size).toBe(0);
  });
});
