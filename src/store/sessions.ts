/**
 * Signed-in sessions of the workspace. The cookie carries a random token; the database keeps
 * only its hash, as the session's id, so a copy of the table signs nobody in.
 *
 * A session ends at the first of: twelve hours after sign-in, whatever its use; thirty minutes
 * without a request; signing out; and the account's password changing or the account going
 * (which deletes its sessions). Ended sessions are refused by the same statement that finds a
 * live one and marks it seen, so no request can slip between the check and the use.
 */
import type { Kysely } from 'kysely';
import { getAccount, type Account } from './accounts.ts';
import type { Database, SessionRow } from './database.ts';
import { hashToken, newToken } from './invitations.ts';

export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 30 * 60 * 1000;

export interface Session {
  /** The hash of the token: safe to show or log, useless as a cookie. */
  id: string;
  accountId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  address: string | null;
  userAgent: string | null;
}

export interface NewSession {
  accountId: number;
  now: Date;
  /** The client's address and user agent, to show the account holder where they are signed in. */
  address: string | null;
  userAgent: string | null;
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
    address: row.address,
    userAgent: row.user_agent,
  };
}

/** Starts a session; the token, for the cookie, is returned only now. */
export async function createSession(
  db: Kysely<Database>,
  input: NewSession,
  random?: (size: number) => Buffer,
): Promise<{ token: string; session: Session }> {
  const token = newToken(random);
  const row = await db
    .insertInto('sessions')
    .values({
      id: hashToken(token),
      account_id: input.accountId,
      created_at: input.now,
      last_seen_at: input.now,
      expires_at: new Date(input.now.getTime() + SESSION_ABSOLUTE_MS),
      revoked_at: null,
      // Bounded: these are for display, and a client chooses its own user agent.
      address: input.address?.slice(0, 100) ?? null,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session: toSession(row) };
}

/**
 * The live session a token names, with its account as it is now (so a changed role counts at
 * once), marked seen at `now`; undefined for a token that names no session, or one that has ended.
 */
export async function findSession(db: Kysely<Database>, token: string, now: Date): Promise<{ session: Session; account: Account } | undefined> {
  const row = await db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('id', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', new Date(now.getTime() - SESSION_IDLE_MS))
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  const account = await getAccount(db, row.account_id);
  return account ? { session: toSession(row), account } : undefined;
}

/** Ends the session a token names (signing out); false when there was no live one. */
export async function revokeSession(db: Kysely<Database>, token: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends every session of an account that had not yet reached its absolute end; resolves to how many. */
export async function revokeAllSessions(db: Kysely<Database>, accountId: number, now: Date): Promise<number> {
  const rows = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .execute();
  return rows.length;
}
