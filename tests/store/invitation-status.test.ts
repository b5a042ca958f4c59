import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import {
  allInvitationStatuses,
  countInvitationStates,
  INVITATION_STATES,
  listInvitationStatuses,
  type InvitationState,
} from '../../src/store/invitation-status.ts';
import { createInvitations, declineInvitation } from '../../src/store/invitations.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { claimDue, markFailed, markSent, queueInvitationMessages, queueReminders } from '../../src/store/outbox.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import { openWave } from '../../src/store/waves.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const instrument = testInstrument([[{ id: 'sector', type: 'single', text: 'Sector?', options: { public: 'Public', private: 'Private' } }], [{ id: 'why', type: 'text', text: 'Why?' }]]);

const T0 = new Date('2030-03-01T09:00:00Z');
const SENT_AT = new Date('2030-03-01T10:00:00Z');
const REMINDED_AT = new Date('2030-03-08T10:00:00Z');
const REFUSAL = '550 5.1.1 No such mailbox here';

/**
 * What happens to each invitee, and the state that must follow. Listed in creation order, so the
 * ids rise in this order too.
 */
const STORY: { who: string; expected: InvitationState }[] = [
  { who: 'link-only', expected: 'created' },
  { who: 'waiting', expected: 'queued' },
  { who: 'delivered', expected: 'sent' },
  { who: 'clicked', expected: 'opened' },
  { who: 'prefilled', expected: 'opened' },
  { who: 'answering', expected: 'started' },
  { who: 'finished', expected: 'submitted' },
  { who: 'bounced', expected: 'failed' },
  { who: 'bounced-after-starting', expected: 'failed' },
  { who: 'declined', expected: 'declined' },
  { who: 'declined-after-submitting', expected: 'declined' },
  { who: 'reminded', expected: 'sent' },
];

describe(`the states of a wave's invitations on ${backend}`, () => {
  let store: TestStore;
  let waveId: number;
  let otherWaveId: number;
  const idOf = new Map<string, number>();

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    const { row } = await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    const db = store.db;
    const wave = await openWave(db, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name: 'w1' });
    const other = await openWave(db, { instrumentId: row.instrument_id, instrumentVersionId: row.id, name: 'w2' });
    waveId = wave.id;
    otherWaveId = other.id;

    const created = await createInvitations(
      db,
      wave.id,
      STORY.map(() => ({})),
      undefined,
      STORY.map((s) => (s.who === 'link-only' ? null : `${s.who}@example.org`)),
    );
    STORY.forEach((s, i) => idOf.set(s.who, created[i]!.id));
    const id = (who: string) => idOf.get(who)!;
    // An invitation of another wave, in a state none of this wave's is counted from.
    const [elsewhere] = await createInvitations(db, other.id, [{}]);
    await startResponse(db, { waveId: other.id, instrumentVersionId: row.id, invitationId: elsewhere!.id, startedAt: T0 });

    const mailed = STORY.filter((s) => s.who !== 'link-only' && s.who !== 'waiting').map((s) => id(s.who));
    expect(await queueInvitationMessages(db, mailed, T0)).toBe(mailed.length);
    for (const message of await claimDue(db, T0, 100, 1)) {
      const who = STORY.find((s) => id(s.who) === message.invitation_id)!.who;
      if (who.startsWith('bounced')) await markFailed(db, message, REFUSAL);
      else await markSent(db, message, SENT_AT);
    }
    await queueInvitationMessages(db, [id('waiting')], SENT_AT);

    const start = (who: string) => startResponse(db, { waveId: wave.id, instrumentVersionId: row.id, invitationId: id(who), startedAt: SENT_AT }).then((r) => r!);
    await start('clicked');
    // Following the link saves the answers the invitation prefills, with no page yet.
    await saveProgress(db, (await start('prefilled')).id, { answers: { sector: 'public' }, complete: false, currentPage: null }, SENT_AT);
    await saveProgress(db, (await start('answering')).id, { answers: { sector: 'public' }, complete: false, currentPage: 'two' }, SENT_AT);
    await submitResponse(db, (await start('finished')).id, SENT_AT);
    await saveProgress(db, (await start('bounced-after-starting')).id, { answers: { sector: 'private' }, complete: false, currentPage: 'two' }, SENT_AT);
    await declineInvitation(db, id('declined'));
    await submitResponse(db, (await start('declined-after-submitting')).id, SENT_AT);
    await declineInvitation(db, id('declined-after-submitting'));

    expect(await queueReminders(db, [id('reminded')], REMINDED_AT)).toBe(1);
    const reminders = await claimDue(db, REMINDED_AT, 100, 1);
    // The claim also takes the waiting invitation's message: it is handed back untouched.
    for (const message of reminders) if (message.kind === 'reminder') await markSent(db, message, REMINDED_AT);
    await db.updateTable('mail_outbox').set({ status: 'pending', claimed_by: null }).where('kind', '=', 'invitation').where('status', '=', 'sending').execute();
  });
  afterAll(() => store.dispose());

  it('gives each invitation the state its mail and its response put it in, declined and failed first', async () => {
    const listed = await listInvitationStatuses(store.db, waveId);
    expect(listed.map((s) => s.id)).toEqual(STORY.map((s) => idOf.get(s.who)));
    expect(listed.map((s) => s.state)).toEqual(STORY.map((s) => s.expected));
    // Every state is reached by some invitee of the story.
    expect(new Set(listed.map((s) => s.state))).toEqual(new Set(INVITATION_STATES));
  });

  it('counts the states in the database as the list gives them, every state present, other waves left out', async () => {
    const counts = await countInvitationStates(store.db, waveId);
    const expected = Object.fromEntries(INVITATION_STATES.map((state) => [state, STORY.filter((s) => s.expected === state).length]));
    expect(counts).toEqual({ ...expected, total: STORY.length });
    const other = await countInvitationStates(store.db, otherWaveId);
    expect(other.total).toBe(1);
    expect(other.opened).toBe(1);
  });

  it('shows the address, when the invitation and the latest reminder went, and why a failed one failed', async () => {
    const byWho = new Map((await listInvitationStatuses(store.db, waveId)).map((s) => [STORY.find((x) => idOf.get(x.who) === s.id)!.who, s]));
    expect(byWho.get('link-only')).toMatchObject({ email: null, sentAt: null, remindedAt: null, failure: null });
    expect(byWho.get('waiting')).toMatchObject({ email: 'waiting@example.org', sentAt: null });
    expect(byWho.get('delivered')!.sentAt?.toISOString()).toBe(SENT_AT.toISOString());
    expect(byWho.get('delivered')!.remindedAt).toBeNull();
    expect(byWho.get('reminded')!.remindedAt?.toISOString()).toBe(REMINDED_AT.toISOString());
    expect(byWho.get('bounced')).toMatchObject({ state: 'failed', failure: REFUSAL, sentAt: null });
    expect(byWho.get('bounced-after-starting')!.failure).toBe(REFUSAL);
    // A declined invitation's unsent mail is failed too, but the invitation did not fail.
    expect(byWho.get('declined')!.failure).toBeNull();
  });

  it('filters by state and pages by id, each page taking up where the last one ended', async () => {
    const opened = await listInvitationStatuses(store.db, waveId, { state: 'opened' });
    expect(opened.map((s) => s.id)).toEqual([idOf.get('clicked'), idOf.get('prefilled')]);
    expect(await listInvitationStatuses(store.db, waveId, { state: 'failed', afterId: idOf.get('bounced') })).toHaveLength(1);

    const pages: number[][] = [];
    let afterId: number | undefined;
    for (;;) {
      const page = await listInvitationStatuses(store.db, waveId, { afterId, limit: 5 });
      if (page.length === 0) break;
      pages.push(page.map((s) => s.id));
      afterId = page[page.length - 1]!.id;
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(STORY.map((s) => idOf.get(s.who)));

    const streamed: number[] = [];
    for await (const status of allInvitationStatuses(store.db, waveId, 'declined')) streamed.push(status.id);
    expect(streamed).toEqual([idOf.get('declined'), idOf.get('declined-after-submitting')]);
  });
});
