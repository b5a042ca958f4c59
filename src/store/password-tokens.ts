/**
 * One-time links to set a password: given to a new account, or when a password is forgotten.
 * Only a hash of the token is stored; a link works once, for 24 hours, and a newer link for the
 * same account replaces any older one still unused.
 */
import type { Kysely } from 'kysely';
import { AccountError, getAccount, inTransaction, writePasswordHash, type Account } from './accounts.ts';
import type { Database } from './database.ts';
import { hashToken, newToken } from './invitations.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export const PASSWORD_TOKEN_MS = 24 * 60 * 60 * 1000;

/** Makes a link's token for an account; the token is returned only now. */
export async function createPasswordToken(
  db: Kysely<Database>,
  accountId: number,
  now: Date,
  random?: (size: number) => Buffer,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken(random);
  const expiresAt = new Date(now.getTime() + PASSWORD_TOKEN_MS);
  await inTransaction(db, async (trx) => {
    // Whoever asked for a new link may have lost the old one; it must stop working.
    await trx.deleteFrom('password_tokens').where('account_id', '=', accountId).where('used_at', 'is', null).execute();
    await trx.insertInto('password_tokens').values({ token_hash: hashToken(token), account_id: accountId, created_at: now, expires_at: expiresAt, used_at: null }).execute();
  });
  return { token, expiresAt };
}

/** The account a still-usable token belongs to, without using it up (to show the form). */
export async function findPasswordToken(db: Kysely<Database>, token: string, now: Date): Promise<Account | undefined> {
  const row = await db
    .selectFrom('password_tokens')
    .select('account_id')
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? getAccount(db, row.account_id) : undefined;
}

/**
 * Uses a token up: resolves to its account, or undefined when it is unknown, used or expired.
 * One statement, so of two requests with the same link only one gets the account.
 */
export async function consumePasswordToken(db: Kysely<Database>, token: string, now: Date): Promise<Account | undefined> {
  const row = await db
    .updateTable('password_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('account_id')
    .executeTakeFirst();
  return row ? getAccount(db, row.account_id) : undefined;
}

/**
 * Sets the password of the account a link names, and uses the link up. The password is checked
 * first, so a password that breaks the rules (an `AccountError` says which) leaves the link
 * usable for another try; undefined when the link is unknown, used or expired.
 */
export async function setPasswordWithToken(db: Kysely<Database>, token: string, password: string, now: Date): Promise<Account | undefined> {
  const holder = await findPasswordToken(db, token, now);
  if (!holder) return undefined;
  const problem = passwordProblem(password, holder.email);
  if (problem) throw new AccountError(problem);
  const passwordHash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const account = await consumePasswordToken(trx, token, now);
    if (!account) return undefined;
    await writePasswordHash(trx, account.id, passwordHash, now);
    return { ...account, hasPassword: true, passwordChangedAt: now, lockedUntil: null };
  });
}
