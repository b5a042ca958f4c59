/**
 * The mail outbox: a row per message, claimed by a sender, marked sent once the SMTP server has
 * accepted it, retried later after a temporary refusal, failed after a permanent one.
 *
 * Decisions, and why:
 * - A table of our own rather than a queue library. pg-boss and graphile-worker are maintained and
 *   would do, but both need a real PostgreSQL server (LISTEN/NOTIFY, advisory locks, their own
 *   schemas and connections) and do not run on PGlite, the default store. The outbox also has to
 *   commit with the invitations it is for, in the same transaction, which a table here gives for free.
 * - Claiming is `FOR UPDATE SKIP LOCKED`, so several senders on one PostgreSQL server never take the
 *   same row; on PGlite there is one connection, so claims are serialised in-process anyway.
 * - A claim names its sender (`claimed_by`), and a sender holds an advisory lock on that number
 *   while it runs (`sender-lock.ts`). A claim whose sender no longer holds its lock — the process was
 *   killed, its connection dropped — is free at once; a claim is also a lease, so a sender that hangs
 *   while holding its lock gives its messages up once the lease runs out. Delivery is therefore at
 *   least once: a crash after the server accepted a message and before it was marked sent sends it
 *   again. The unique (invitation, kind, sequence) is what stops a message being queued twice.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, MailKind, OutboxRow } from './database.ts';
import { senderAlive } from './sender-lock.ts';

/** How long a claimed message is left to its sender before another may take it. */
export const LEASE_MS = 10 * 60_000;
/** After this many attempts a temporary refusal counts as permanent. */
export const MAX_ATTEMPTS = 8;

/** 1 minute, then doubling, at most 6 hours: the wait after the `attempts`-th failed attempt. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

/** Rows per statement: PostgreSQL takes at most 65,535 parameters in one, and a row here is up to five. */
const QUEUE_CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += QUEUE_CHUNK) out.push(items.slice(start, start + QUEUE_CHUNK));
  return out;
}

/** `work` in a transaction, or in the one `db` already is. */
function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Queues each invitation's first message; an invitation that has one already is left alone. Returns how many were queued. */
export async function queueInvitationMessages(db: Kysely<Database>, invitationIds: readonly number[], at: Date): Promise<number> {
  if (invitationIds.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    let count = 0;
    for (const chunk of chunks(invitationIds)) {
      const rows = await trx
        .insertInto('mail_outbox')
        .values(chunk.map((id) => ({ invitation_id: id, kind: 'invitation' as const, sequence: 1, next_attempt_at: at, queued_at: at })))
        .onConflict((oc) => oc.columns(['invitation_id', 'kind', 'sequence']).doNothing())
        .returning('invitation_id')
        .execute();
      const queued = rows.map((r) => r.invitation_id);
      if (queued.length > 0) await trx.updateTable('invitations').set({ state: 'queued' }).where('id', 'in', queued).where('state', '=', 'created').execute();
      count += queued.length;
    }
    return count;
  });
}

/** Queues the next reminder for each invitation (sequence one past its last). Returns how many. */
export async function queueReminders(db: Kysely<Database>, invitationIds: readonly number[], at: Date): Promise<number> {
  if (invitationIds.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    let count = 0;
    for (const chunk of chunks(invitationIds)) {
      const result = await sql<{ id: number }>`
        insert into mail_outbox (invitation_id, kind, sequence, next_attempt_at, queued_at)
        select i.id, 'reminder', coalesce((select max(o.sequence) from mail_outbox o where o.invitation_id = i.id and o.kind = 'reminder'), 0) + 1, ${at}, ${at}
        from invitations i where i.id in (${sql.join(chunk)})
        on conflict (invitation_id, kind, sequence) do nothing
        returning id`.execute(trx);
      count += result.rows.length;
    }
    return count;
  });
}

/** Takes up to `limit` messages that are due, or held by a sender that is gone or whose lease ran out, for sender `senderId`. */
export async function claimDue(db: Kysely<Database>, now: Date, limit: number, senderId: number): Promise<OutboxRow[]> {
  const lease = new Date(now.getTime() + LEASE_MS);
  const result = await sql<OutboxRow>`
    update mail_outbox set status = 'sending', attempts = attempts + 1, next_attempt_at = ${lease}, claimed_by = ${senderId}
    where id in (
      select o.id from mail_outbox o
      where (o.status = 'pending' and o.next_attempt_at <= ${now})
         or (o.status = 'sending' and (o.next_attempt_at <= ${now} or not ${senderAlive(sql.ref('o.claimed_by'))}))
      order by o.id limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return result.rows.sort((a, b) => a.id - b.id);
}

/** Hands claimed messages that were not tried back, as they were (a sender stopping early). */
export async function releaseClaims(db: Kysely<Database>, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('mail_outbox')
    .set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1), next_attempt_at: now, claimed_by: null }))
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .execute();
}

export async function markSent(db: Kysely<Database>, message: OutboxRow, at: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('mail_outbox').set({ status: 'sent', sent_at: at, last_error: null, claimed_by: null }).where('id', '=', message.id).execute();
    if (message.kind === 'invitation') {
      await trx.updateTable('invitations').set({ state: 'sent' }).where('id', '=', message.invitation_id).where('state', 'in', ['created', 'queued']).execute();
    }
  });
}

/** A permanent refusal: the message and (for the invitation itself) the invitation fail, with the reason. */
export async function markFailed(db: Kysely<Database>, message: OutboxRow, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('mail_outbox').set({ status: 'failed', last_error: reason, claimed_by: null }).where('id', '=', message.id).execute();
    // A refused address fails the invitation whichever message found out; a decline stays a decline.
    await trx.updateTable('invitations').set({ state: 'failed' }).where('id', '=', message.invitation_id).where('state', '!=', 'declined').execute();
  });
}

/** A temporary refusal: tried again after the backoff, or failed once the attempts run out. Returns whether it will be retried. */
export async function markRetry(db: Kysely<Database>, message: OutboxRow, reason: string, now: Date): Promise<boolean> {
  if (message.attempts >= MAX_ATTEMPTS) {
    await markFailed(db, message, `gave up after ${message.attempts} attempts: ${reason}`);
    return false;
  }
  await db
    .updateTable('mail_outbox')
    .set({ status: 'pending', last_error: reason, next_attempt_at: new Date(now.getTime() + backoffMs(message.attempts)), claimed_by: null })
    .where('id', '=', message.id)
    .execute();
  return true;
}

export async function outboxMessages(db: Kysely<Database>, kind?: MailKind): Promise<OutboxRow[]> {
  let query = db.selectFrom('mail_outbox').selectAll();
  if (kind) query = query.where('kind', '=', kind);
  return query.orderBy('id').execute();
}
