/**
 * Whether the sender that claimed a message is still running. Each sender takes a random number and
 * holds the session advisory lock (SENDER_LOCK_CLASS, number) for as long as it runs; the lock goes
 * the moment its session ends — the process exits or is killed, or its connection drops — so
 * `senderAlive` tells a live sender's claims from a dead one's without waiting for a lease.
 *
 * On PostgreSQL the lock is held on a connection of its own, taken from the pool for the sender's
 * life: a lock taken on a pooled connection would go with that connection whenever the pool closed
 * it. PGlite is one session in one process, so the lock is taken on it and released by hand, and a
 * new process starts with none.
 */
import { randomInt } from 'node:crypto';
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Store } from './open.ts';

/** The first key of every sender's lock, so that no other advisory lock is taken for one. */
export const SENDER_LOCK_CLASS = 7411;

export interface SenderLock {
  /** The number the sender's claims carry in `mail_outbox.claimed_by`. */
  id: number;
  /** Whether the lock is still held: its connection may have dropped, and then the sender must take a new one. */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

/** SQL that is true when the sender whose number `claimedBy` is holds its lock. */
export function senderAlive(claimedBy: Expression<number | null>): RawBuilder<boolean> {
  return sql<boolean>`exists (
    select 1 from pg_catalog.pg_locks l
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
      and l.classid = ${sql.lit(SENDER_LOCK_CLASS)}::oid and l.objid = (${claimedBy})::oid)`;
}

export async function holdSenderLock(store: Pick<Store, 'db' | 'kind'>): Promise<SenderLock> {
  // Positive, so that it casts to an oid as pg_locks shows it.
  const id = randomInt(1, 2 ** 31 - 1);
  const take = sql`select pg_advisory_lock(${sql.lit(SENDER_LOCK_CLASS)}, ${sql.lit(id)})`;
  const give = sql`select pg_advisory_unlock(${sql.lit(SENDER_LOCK_CLASS)}, ${sql.lit(id)})`;
  const held = async () => (await sql<{ held: boolean }>`select ${senderAlive(sql.lit(id))} as held`.execute(store.db)).rows[0]?.held === true;
  if (store.kind === 'pglite') {
    await take.execute(store.db);
    return { id, held, release: async () => void (await give.execute(store.db)) };
  }
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let taken!: () => void;
  let failed!: (error: unknown) => void;
  const holding = new Promise<void>((resolve, reject) => {
    taken = resolve;
    failed = reject;
  });
  const session = store.db
    .connection()
    .execute(async (connection) => {
      await take.execute(connection);
      taken();
      await released;
      await give.execute(connection);
    })
    // Before the lock is taken this refuses `holdSenderLock`; after, the sender finds out from `held`.
    .catch((error: unknown) => failed(error));
  await holding;
  return {
    id,
    held,
    async release() {
      letGo();
      await session;
    },
  };
}
