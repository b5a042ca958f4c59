import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { createInvitations } from '../../src/store/invitations.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { countInvitationsByAnswer, countInvitationsByStratum, invitedAnswer, submissionsByDay } from '../../src/store/monitoring.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { openWave } from '../../src/store/waves.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const sector = { id: 'sector', type: 'single', text: 'Sector?', options: { public: 'Public', private: 'Private' } };
const tier = { id: 'tier', type: 'single', text: 'Tier?', options: { frontline: 'Front line', senior: 'Senior' } };
const colours = { id: 'colours', type: 'multiple', text: 'Colours?', options: { red: 'Red', blue: 'Blue' } };
const instrument = testInstrument([[sector, tier, colours]]);
const OPTIONS: Record<string, string[]> = { sector: ['public', 'private'], tier: ['frontline', 'senior'] };

/** The invitees of the counted wave: some placed, some with values that are no answer, an empty one, none. */
const INVITEES: Record<string, string>[] = [
  { sector: 'public', tier: 'senior' },
  { sector: 'public', tier: 'senior', colours: 'red' },
  { sector: 'public', tier: 'frontline' },
  { sector: 'private', tier: 'senior' },
  { sector: 'private', tier: 'boss' },
  { sector: 'Public', tier: 'senior' },
  { sector: '', tier: '' },
  {},
];
/** The answer an attribute gives, by the rule the test expects: an option's id exactly, else none. */
const placed = (attributes: Record<string, string>, question: string) => (OPTIONS[question]!.includes(attributes[question] ?? '') ? attributes[question]! : null);

describe(`counting a wave's invitations by their invitees' attributes, and its submissions by day, on ${backend}`, () => {
  let store: TestStore;
  let versionId: number;
  let instrumentId: string;

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    const { row } = await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    versionId = row.id;
    instrumentId = row.instrument_id;
  });
  afterAll(() => store.dispose());

  it('places an attribute as the invitation prefills the response: an option id of a single-choice question, and nothing else', () => {
    expect(invitedAnswer(instrument, 'sector', 'public')).toBe('public');
    expect(invitedAnswer(instrument, 'sector', 'Public')).toBeNull();
    expect(invitedAnswer(instrument, 'sector', null)).toBeNull();
    expect(invitedAnswer(instrument, 'tier', 'boss')).toBeNull();
    // A multiple choice is prefilled as a list, which is no domain of one answer.
    expect(invitedAnswer(instrument, 'colours', 'red')).toBeNull();
  });

  it('counts one wave\'s invitations by each attribute and by sector and tier, those placed in none apart', async () => {
    const wave = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'counted' });
    const other = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'other' });
    await createInvitations(store.db, wave.id, INVITEES);
    await createInvitations(store.db, other.id, [{ sector: 'public', tier: 'senior' }]);

    for (const question of ['sector', 'tier']) {
      const values = [...OPTIONS[question]!].sort().map((v) => v as string | null).concat([null]);
      const expected = values.map((value) => ({ value, invited: INVITEES.filter((a) => placed(a, question) === value).length })).filter((c) => c.invited > 0);
      expect([question, await countInvitationsByAnswer(store.db, wave.id, instrument, question)]).toEqual([question, expected]);
    }

    const strata = new Map<string, { sector: string | null; tier: string; invited: number }>();
    for (const a of INVITEES) {
      const key = { sector: placed(a, 'sector'), tier: placed(a, 'tier') ?? '' };
      const id = JSON.stringify(key);
      strata.set(id, { ...key, invited: (strata.get(id)?.invited ?? 0) + 1 });
    }
    const byKey = (a: { sector: string | null; tier: string }, b: { sector: string | null; tier: string }) =>
      a.sector === b.sector ? (a.tier < b.tier ? -1 : a.tier > b.tier ? 1 : 0) : a.sector === null ? 1 : b.sector === null ? -1 : a.sector < b.sector ? -1 : 1;
    expect(await countInvitationsByStratum(store.db, wave.id, instrument)).toEqual([...strata.values()].sort(byKey));
  });

  it('places every invitee under tier "" for an instrument that asks no tier', async () => {
    const untiered = testInstrument([[sector]], { id: 'untiered' });
    const { row } = await publishInstrument(store.db, { instrument: untiered, sourceText: '', contentHash: contentHash(untiered) });
    const wave = await openWave(store.db, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name: 'untiered' });
    await createInvitations(store.db, wave.id, [{ sector: 'private', tier: 'senior' }, { sector: 'private' }]);
    expect(await countInvitationsByStratum(store.db, wave.id, untiered)).toEqual([{ sector: 'private', tier: '', invited: 2 }]);
  });

  it('counts the submitted responses by the UTC day they were submitted on, whatever the session\'s time zone', async () => {
    const wave = await openWave(store.db, { instrumentId, instrumentVersionId: versionId, name: 'daily' });
    const submittedAt = ['2026-09-14T23:59:59.999Z', '2026-09-15T00:00:00Z', '2026-09-15T13:00:00Z', '2026-09-17T11:00:00Z'].map((t) => new Date(t));
    for (const at of [...submittedAt, null]) {
      const response = (await startResponse(store.db, { waveId: wave.id, instrumentVersionId: versionId, startedAt: new Date('2026-09-14T00:00:00Z') }))!;
      await saveProgress(store.db, response.id, { answers: {}, complete: at !== null, currentPage: null }, new Date('2026-09-14T00:00:00Z'));
      if (at) await submitResponse(store.db, response.id, at);
    }
    const expected = new Map<string, number>();
    for (const at of submittedAt) expected.set(at.toISOString().slice(0, 10), (expected.get(at.toISOString().slice(0, 10)) ?? 0) + 1);
    const days = [...expected].map(([day, submitted]) => ({ day, submitted }));
    expect(await submissionsByDay(store.db, wave.id)).toEqual(days);
    // Twelve hours ahead of UTC, each of these would fall on another day if the session's zone counted.
    const ahead = await store.db.transaction().execute(async (trx) => {
      await sql`set local time zone 'Etc/GMT-12'`.execute(trx);
      return submissionsByDay(trx, wave.id);
    });
    expect(ahead).toEqual(days);
  });
});
