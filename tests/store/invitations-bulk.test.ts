import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { commandLineActor, countAudit } from '../../src/store/audit.ts';
import type { WaveRow } from '../../src/store/database.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { countInvitationStates } from '../../src/store/invitation-status.ts';
import { findInvitationByToken, INSERT_CHUNK } from '../../src/store/invitations.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { inviteRecorded, remindRecorded } from '../../src/store/wave-invitations.ts';
import { setWaveMessage } from '../../src/store/wave-messages.ts';
import { openWave } from '../../src/store/waves.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

/** Past the 16,383 rows of four parameters that one PostgreSQL statement could take. */
const INVITEES = 20_000;
const AT = new Date('2030-03-01T09:00:00Z');

describe(`inviting ${INVITEES} people to one wave on ${backend}`, () => {
  let store: TestStore;
  let wave: WaveRow;

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    const instrument = testInstrument([[{ id: 'why', type: 'text', text: 'Why?' }]]);
    const { row } = await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    wave = await openWave(store.db, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name: 'big' });
    await setWaveMessage(store.db, wave.id, 'invitation', { subject: 'Take part', body: 'Dear {name}: {link}' });
    await setWaveMessage(store.db, wave.id, 'reminder', { subject: 'Reminder', body: 'Please: {link}' });
  });
  afterAll(() => store.dispose());

  it('creates and queues every invitation in one go, each token finding its own, with one audit row each for creating and queueing', { timeout: 240_000 }, async () => {
    expect(INVITEES).toBeGreaterThan(16 * INSERT_CHUNK);
    const invitees = Array.from({ length: INVITEES }, (_, i) => ({ email: `person${i}@example.org`, name: `Person ${i}` }));
    const auditBefore = await countAudit(store.db);
    const { created, queued } = await inviteRecorded(store.db, commandLineActor('test'), AT, wave, invitees, { send: true });
    expect(created).toHaveLength(INVITEES);
    expect(queued).toBe(INVITEES);
    expect(new Set(created.map((c) => c.id)).size).toBe(INVITEES);
    expect(await countAudit(store.db)).toBe(auditBefore + 2);
    // Ids and tokens stay paired across the chunks: the first, one at a chunk's edge, and the last.
    for (const i of [0, INSERT_CHUNK - 1, INSERT_CHUNK, INVITEES - 1]) {
      const found = await findInvitationByToken(store.db, created[i]!.token);
      expect(found).toMatchObject({ id: created[i]!.id, email: `person${i}@example.org`, attributes: { email: `person${i}@example.org`, name: `Person ${i}` } });
    }
    expect(await countInvitationStates(store.db, wave.id)).toMatchObject({ queued: INVITEES, total: INVITEES });
  });

  it('reminds all of them at once once their e-mails have gone', { timeout: 240_000 }, async () => {
    await store.db.updateTable('mail_outbox').set({ status: 'sent', sent_at: AT }).where('kind', '=', 'invitation').execute();
    await store.db.updateTable('invitations').set({ state: 'sent' }).where('wave_id', '=', wave.id).execute();
    const later = new Date(AT.getTime() + 8 * 86_400_000);
    expect(await remindRecorded(store.db, commandLineActor('test'), later, wave, new Date(later.getTime() - 7 * 86_400_000), '7d')).toBe(INVITEES);
    const reminders = await store.db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<string | number>().as('n')).where('kind', '=', 'reminder').executeTakeFirstOrThrow();
    expect(Number(reminders.n)).toBe(INVITEES);
  });
});
