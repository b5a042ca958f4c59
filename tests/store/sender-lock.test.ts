// A message a sender has claimed stays its own while that sender runs (for the length of the lease),
// and is free for another the moment that sender is gone.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitations } from '../../src/store/invitations.ts';
import { claimDue, LEASE_MS, queueInvitationMessages } from '../../src/store/outbox.ts';
import { holdSenderLock } from '../../src/store/sender-lock.ts';
import { backend, databaseUrl, openTestStore, type TestStore } from '../support/store.ts';
import { prepareStore } from '../support/survey-app.ts';

describe(`senders' claims on the outbox, on ${backend}`, () => {
  let store: TestStore;
  const at = new Date('2010-09-01T09:00:00Z');
  const later = (ms: number) => new Date(at.getTime() + ms);
  let waveId: number;

  beforeAll(async () => {
    store = await openTestStore();
    waveId = (await prepareStore(store)).waveIds['leadership-individual']!;
  });
  afterAll(() => store.dispose());

  const queue = async (n: number) => {
    const made = await createInvitations(store.db, waveId, Array.from({ length: n }, () => ({ sector: 'public' })), undefined, Array.from({ length: n }, (_, i) => `p${i}@example.org`));
    await store.db.deleteFrom('mail_outbox').execute();
    expect(await queueInvitationMessages(store.db, made.map((m) => m.id), at)).toBe(n);
  };

  it("leaves a running sender's claims alone until its lease runs out", async () => {
    await queue(3);
    const first = await holdSenderLock(store);
    const second = await holdSenderLock(store);
    try {
      expect(await first.held()).toBe(true);
      expect(await claimDue(store.db, at, 10, first.id)).toHaveLength(3);
      expect(await claimDue(store.db, later(LEASE_MS - 1000), 10, second.id)).toHaveLength(0);
      // A sender that has hung while holding its lock gives its messages up with the lease.
      const taken = await claimDue(store.db, later(LEASE_MS), 10, second.id);
      expect(taken.map((m) => [m.claimed_by, m.attempts])).toEqual(Array(3).fill([second.id, 2]));
    } finally {
      await first.release();
      await second.release();
    }
  });

  it('frees the claims of a sender that has let go of its lock at once', async () => {
    await queue(2);
    const gone = await holdSenderLock(store);
    expect(await claimDue(store.db, at, 10, gone.id)).toHaveLength(2);
    await gone.release();
    expect(await gone.held()).toBe(false);
    const next = await holdSenderLock(store);
    try {
      expect(await claimDue(store.db, later(1000), 10, next.id)).toHaveLength(2);
    } finally {
      await next.release();
    }
  });

  it.skipIf(!databaseUrl)('frees the claims of a sender whose connection the server ended, and the sender can tell', async () => {
    await queue(2);
    const dropped = await holdSenderLock(store);
    expect(await claimDue(store.db, at, 10, dropped.id)).toHaveLength(2);
    // As a killed process's connection ends: the backend holding the lock goes, and the lock with it.
    await sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = ${dropped.id}::oid and objsubid = 2`.execute(store.db);
    for (let i = 0; i < 50 && (await dropped.held()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await dropped.held()).toBe(false);
    const next = await holdSenderLock(store);
    try {
      expect(await claimDue(store.db, later(1000), 10, next.id)).toHaveLength(2);
    } finally {
      await next.release();
      await dropped.release();
    }
  });
});
