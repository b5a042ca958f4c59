import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { Instrument } from '../../src/instrument/schema.ts';
import { testInstrument } from '../support/instrument.ts';
import { findInstrumentVersion, listInstrumentVersions, publishInstrument, VersionConflictError } from '../../src/store/instrument-versions.ts';
import { createInvitations, findInvitationByToken, hashToken } from '../../src/store/invitations.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { getResponse, listResponses, recordPageTime, saveProgress, startResponse, submitIfReady, submitResponse } from '../../src/store/responses.ts';
import { closeWave, ensureOpenWave, findWave, getWave, openWave, WaveError } from '../../src/store/waves.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

function instrument(version: string, optionLabel = 'Public') {
  const parsed = testInstrument([[{ id: 'sector', type: 'single', text: 'Sector?', options: { public: optionLabel, private: 'Private' } }]], { version });
  return { instrument: parsed, sourceText: `# demo ${version}`, contentHash: contentHash(parsed) };
}

describe(`the store's repositories on ${backend}`, () => {
  let store: TestStore;
  let versionId: number;
  let waveId: number;

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
  });
  afterAll(() => store.dispose());

  describe('instrument versions', () => {
    it('publishes a version with its definition and content hash', async () => {
      const input = instrument('1.0');
      const { row, created } = await publishInstrument(store.db, input);
      expect(created).toBe(true);
      expect(row).toMatchObject({ instrument_id: 'demo', version: '1.0', kind: 'individual', content_hash: input.contentHash });
      expect(row.definition).toEqual(JSON.parse(JSON.stringify(input.instrument)));
      versionId = row.id;
    });

    it('gives back options, rows and scale points in the order the instrument lists them', async () => {
      const parsed = testInstrument(
        [
          [
            { id: 'benefit', type: 'scale', text: 'Benefit?', options: { none: 'None', little: 'A little', some: 'Some', lot: 'A lot' } },
            { id: 'acts', type: 'matrix', text: 'Acts?', rows: { mentoring: 'M', coaching: 'C' }, options: { took_part: 'T', never: 'N' } },
          ],
        ],
        { id: 'order' },
      );
      const { row } = await publishInstrument(store.db, { instrument: parsed, sourceText: '', contentHash: contentHash(parsed) });
      const reread = Instrument.parse((await findInstrumentVersion(store.db, 'order', '1'))!.definition);
      expect(reread).toEqual(parsed);
      const [benefit, acts] = reread.pages[0]!.questions;
      expect(benefit!.type === 'scale' ? benefit!.options.map((o) => o.id) : []).toEqual(['none', 'little', 'some', 'lot']);
      expect(Object.keys(acts!.type === 'matrix' ? acts!.rows : {})).toEqual(['mentoring', 'coaching']);
      expect(JSON.stringify(row.definition)).toBe(JSON.stringify(parsed));
    });

    it('finds an identical republication unchanged instead of storing it twice', async () => {
      const { row, created } = await publishInstrument(store.db, instrument('1.0'));
      expect(created).toBe(false);
      expect(row.id).toBe(versionId);
    });

    it('refuses to change the content of a version already published', async () => {
      await expect(publishInstrument(store.db, instrument('1.0', 'Public sector'))).rejects.toThrow(VersionConflictError);
      expect((await findInstrumentVersion(store.db, 'demo', '1.0'))!.content_hash).toBe(instrument('1.0').contentHash);
    });

    it('keeps every version', async () => {
      await publishInstrument(store.db, instrument('1.1', 'Public sector'));
      expect((await listInstrumentVersions(store.db)).filter((r) => r.instrument_id === 'demo').map((r) => r.version)).toEqual(['1.0', '1.1']);
    });

    it('stores one row when the same version is published concurrently', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => publishInstrument(store.db, instrument('2.0'))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.row.id)).size).toBe(1);
    });
  });

  describe('waves', () => {
    it('opens a wave on a version and finds it by instrument and name, and by its id', async () => {
      const wave = await openWave(store.db, { instrumentId: 'demo', instrumentVersionId: versionId, name: '2010', opensAt: new Date('2010-09-01T00:00:00Z') });
      expect(wave.status).toBe('open');
      expect((await findWave(store.db, 'demo', '2010'))!.id).toBe(wave.id);
      expect(await getWave(store.db, wave.id)).toEqual(wave);
      expect(await getWave(store.db, wave.id + 1000)).toBeUndefined();
      waveId = wave.id;
    });

    it('refuses a second wave with the same name', async () => {
      await expect(openWave(store.db, { instrumentId: 'demo', instrumentVersionId: versionId, name: '2010' })).rejects.toThrow(WaveError);
    });

    it('returns the open wave rather than opening another', async () => {
      const { wave, created } = await ensureOpenWave(store.db, { instrumentId: 'demo', instrumentVersionId: versionId, name: '2011' });
      expect(created).toBe(false);
      expect(wave.id).toBe(waveId);
    });
  });

  describe('invitations', () => {
    it('stores only a hash of each token and finds the invitation by its token', async () => {
      const created = await createInvitations(store.db, waveId, [{ sector: 'public' }, {}]);
      expect(created).toHaveLength(2);
      expect(created[0]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const rows = await store.db.selectFrom('invitations').select(['token_hash', 'attributes']).orderBy('id').execute();
      expect(rows.map((r) => r.token_hash)).toEqual(created.map((c) => hashToken(c.token)));
      expect(JSON.stringify(rows)).not.toContain(created[0]!.token);
      const found = await findInvitationByToken(store.db, created[0]!.token);
      expect(found!.attributes).toEqual({ sector: 'public' });
      expect(await findInvitationByToken(store.db, 'not-a-token')).toBeUndefined();
    });
  });

  describe('responses', () => {
    it('keeps one response per invitation even when started concurrently', async () => {
      const [invitation] = await createInvitations(store.db, waveId, [{}]);
      const started = await Promise.all(
        Array.from({ length: 10 }, () => startResponse(store.db, { waveId, instrumentVersionId: versionId, invitationId: invitation!.id })),
      );
      expect(started.filter(Boolean)).toHaveLength(1);
    });

    it('saves progress page by page, records time per page and submits exactly once under concurrency', async () => {
      const response = (await startResponse(store.db, { waveId, instrumentVersionId: versionId, resumeCodeHash: hashToken('ABCD-EFGH') }))!;
      expect(response.status).toBe('in_progress');
      await saveProgress(store.db, response.id, { answers: { sector: 'public' }, complete: true, currentPage: 'p' }, new Date('2010-09-01T10:00:00Z'));
      await recordPageTime(store.db, response.id, 'p', 1500);
      await recordPageTime(store.db, response.id, 'p', 500);
      const at = new Date('2010-09-01T10:05:00Z');
      const results = await Promise.all(Array.from({ length: 20 }, () => submitResponse(store.db, response.id, at)));
      expect(results.filter((r) => r.submitted)).toHaveLength(1);
      const stored = (await getResponse(store.db, response.id))!;
      expect(stored.status).toBe('submitted');
      expect(new Date(stored.submitted_at!).toISOString()).toBe(at.toISOString());
      expect(stored.answers).toEqual({ sector: 'public' });
      const times = await store.db.selectFrom('response_page_times').selectAll().where('response_id', '=', response.id).execute();
      expect(times.map((t) => [t.page_id, t.visits, Number(t.milliseconds)])).toEqual([['p', 2, 2000]]);
      await expect(saveProgress(store.db, response.id, { answers: {}, complete: false, currentPage: null }, at)).rejects.toThrow(/already been submitted/);
      expect((await listResponses(store.db, waveId, 'submitted')).map((r) => r.id)).toContain(response.id);
    });

    it('submits in one statement only a complete response whose wave is the one named and open', async () => {
      const response = (await startResponse(store.db, { waveId, instrumentVersionId: versionId }))!;
      const where = { responseId: response.id, instrumentId: 'demo', waveName: '2010', at: new Date('2010-09-02T00:00:00Z') };
      expect(await submitIfReady(store.db, where)).toBe(false); // not complete
      await saveProgress(store.db, response.id, { answers: { sector: 'public' }, complete: true, currentPage: null }, where.at);
      expect(await submitIfReady(store.db, { ...where, waveName: '2011' })).toBe(false);
      expect(await submitIfReady(store.db, { ...where, at: new Date('2010-08-01T00:00:00Z') })).toBe(false); // before the wave opened
      const results = await Promise.all(Array.from({ length: 10 }, () => submitIfReady(store.db, where)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await getResponse(store.db, response.id))!.status).toBe('submitted');
    });

    it('refuses, in the database itself, any change to a submitted response', async () => {
      const response = (await startResponse(store.db, { waveId, instrumentVersionId: versionId }))!;
      await submitResponse(store.db, response.id, new Date('2010-09-03T00:00:00Z'));
      await expect(
        store.db.updateTable('responses').set({ answers: JSON.stringify({ sector: 'private' }) }).where('id', '=', response.id).execute(),
      ).rejects.toThrow(/has been submitted and cannot change/);
      await expect(
        store.db.updateTable('responses').set({ status: 'in_progress', submitted_at: null }).where('id', '=', response.id).execute(),
      ).rejects.toThrow(/has been submitted and cannot change/);
    });

    it('refuses a second response with the same resume code', async () => {
      expect(await startResponse(store.db, { waveId, instrumentVersionId: versionId, resumeCodeHash: hashToken('ABCD-EFGH') })).toBeUndefined();
    });

    it('refuses to close a wave before it opened', async () => {
      await expect(closeWave(store.db, waveId, new Date('2010-08-01T00:00:00Z'))).rejects.toThrow(/cannot close before then/);
    });

    it('closes a wave, after which it cannot be closed again', async () => {
      const closed = await closeWave(store.db, waveId, new Date('2010-10-31T23:59:59Z'));
      expect(closed.status).toBe('closed');
      await expect(closeWave(store.db, waveId, new Date())).rejects.toThrow(WaveError);
    });
  });
});
