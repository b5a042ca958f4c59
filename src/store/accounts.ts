/**
 * Researchers' accounts: who may sign in to the workspace, in which role, over which instruments.
 *
 * Decisions, and why:
 * - Functions return `Account`, never the row: the password hash stays in this file.
 * - A sign-in that fails says nothing about why. `checkSignIn` gives one value for an unknown
 *   address, a wrong password, an account with no password yet and a locked account, and spends
 *   one password verification on each, so neither the answer nor its timing tells them apart.
 * - Five failures in a row lock the account for fifteen minutes; the count then starts again, and
 *   a success clears it. The count is kept by the database in one statement, so parallel guesses
 *   cannot slip past it.
 * - Times come in as arguments: nothing here reads the clock.
 */
import { sql, type Kysely } from 'kysely';
import { ROLES, type AccountRow, type Database, type Role } from './database.ts';
import { hashPassword, needsRehash, passwordProblem, spendVerification, verifyPassword } from './passwords.ts';
import { revokeAllSessions } from './sessions.ts';

export const MAX_FAILED_SIGN_INS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

/** Something asked of accounts that cannot be done; the message says what and why, in plain English. */
export class AccountError extends Error {
  override name = 'AccountError';
}

export interface Account {
  id: number;
  email: string;
  role: Role;
  /** The instruments the account is limited to, sorted; empty means every instrument. */
  instruments: string[];
  hasPassword: boolean;
  /** Set while sign-ins are refused after too many failures (compare with now). */
  lockedUntil: Date | null;
  passwordChangedAt: Date | null;
  createdAt: Date;
}

export interface NewAccount {
  email: string;
  role: Role;
  /** Instrument ids to limit the account to; empty or absent for every instrument. */
  instruments?: readonly string[];
  now: Date;
}

/** The one answer to every sign-in that fails, whatever the reason. */
export const SIGN_IN_REFUSED: { readonly ok: false } = Object.freeze({ ok: false as const });
export type SignInResult = { ok: true; account: Account } | typeof SIGN_IN_REFUSED;

/** An address as accounts keep and compare it: trimmed, in lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What is wrong with an e-mail address for an account, or undefined. */
export function emailProblem(email: string): string | undefined {
  const normal = normaliseEmail(email);
  if (normal === '') return 'the e-mail address is missing';
  if (normal.length > 254) return 'the e-mail address must be at most 254 characters long';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(normal)) return `the e-mail address must look like name@example.org, not ${JSON.stringify(email)}`;
  return undefined;
}

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** Whether an account may work on an instrument: limited to it, or not limited at all. */
export function reachesInstrument(account: Pick<Account, 'instruments'>, instrumentId: string): boolean {
  return account.instruments.length === 0 || account.instruments.includes(instrumentId);
}

const asDate = (value: Date | string) => new Date(value);
const asDateOrNull = (value: Date | string | null) => (value === null ? null : new Date(value));

function toAccount(row: AccountRow, instruments: string[]): Account {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    instruments,
    hasPassword: row.password_hash !== null,
    lockedUntil: asDateOrNull(row.locked_until),
    passwordChangedAt: asDateOrNull(row.password_changed_at),
    createdAt: asDate(row.created_at),
  };
}

async function withInstruments(db: Kysely<Database>, rows: AccountRow[]): Promise<Account[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('account_instruments')
    .select(['account_id', 'instrument_id'])
    .where(
      'account_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('instrument_id')
    .execute();
  return rows.map((row) => toAccount(row, links.filter((l) => l.account_id === row.id).map((l) => l.instrument_id)));
}

/** Runs `work` in a transaction, or in the caller's if `db` is one already. */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Refuses instrument ids of which no version is published, naming them and those that are. */
async function checkInstruments(db: Kysely<Database>, role: Role, instruments: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(instruments)].sort();
  if (wanted.length === 0) return wanted;
  if (role === 'admin') throw new AccountError('an admin works across every instrument, so an admin account cannot be limited to some');
  const published = (await db.selectFrom('instrument_versions').select('instrument_id').distinct().orderBy('instrument_id').execute()).map((r) => r.instrument_id);
  const unknown = wanted.filter((id) => !published.includes(id));
  if (unknown.length > 0) {
    const list = unknown.join(', ');
    throw new AccountError(
      `no version of ${list} is published, so an account cannot be limited to ${unknown.length === 1 ? 'it' : 'them'} (published instruments: ${published.length ? published.join(', ') : 'none'})`,
    );
  }
  return wanted;
}

async function writeInstruments(db: Kysely<Database>, accountId: number, instruments: string[]): Promise<void> {
  await db.deleteFrom('account_instruments').where('account_id', '=', accountId).execute();
  if (instruments.length > 0) {
    await db
      .insertInto('account_instruments')
      .values(instruments.map((instrument_id) => ({ account_id: accountId, instrument_id })))
      .execute();
  }
}

/** Adds an account with no password yet; the address must be new. */
export async function createAccount(db: Kysely<Database>, input: NewAccount): Promise<Account> {
  const problem = emailProblem(input.email);
  if (problem) throw new AccountError(problem);
  if (!isRole(input.role)) throw new AccountError(`the role must be one of ${ROLES.join(', ')}, not ${JSON.stringify(input.role)}`);
  const email = normaliseEmail(input.email);
  return inTransaction(db, async (trx) => {
    const instruments = await checkInstruments(trx, input.role, input.instruments ?? []);
    // Two people adding the same address at once meet at the unique constraint, not at a check.
    const row = await trx
      .insertInto('accounts')
      .values({ email, role: input.role, password_hash: null, locked_until: null, password_changed_at: null, created_at: input.now })
      .onConflict((oc) => oc.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AccountError(`there is already an account for ${email}`);
    await writeInstruments(trx, row.id, instruments);
    return toAccount(row, instruments);
  });
}

export async function getAccount(db: Kysely<Database>, id: number): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withInstruments(db, [row]))[0] : undefined;
}

export async function findAccountByEmail(db: Kysely<Database>, email: string): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  return row ? (await withInstruments(db, [row]))[0] : undefined;
}

/** Every account with its instruments, by e-mail address. */
export async function listAccounts(db: Kysely<Database>): Promise<Account[]> {
  return withInstruments(db, await db.selectFrom('accounts').selectAll().orderBy('email').execute());
}

/**
 * Refuses to take away the last admin: without one nobody could add an account, reset a password
 * or change a role in the workspace. Every admin row is locked first, so two admins removing each
 * other at the same moment take turns, and the second is refused rather than both succeeding.
 */
async function keepAnAdmin(trx: Kysely<Database>, account: Account, change: string): Promise<void> {
  if (account.role !== 'admin') return;
  const admins = await trx.selectFrom('accounts').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute();
  if (admins.every((admin) => admin.id === account.id)) {
    throw new AccountError(`${account.email} is the only admin, so it cannot be ${change}: make another account an admin first`);
  }
}

/** Removes an account, and with it its sessions and set-password links; the audit log keeps its history. */
export async function removeAccount(db: Kysely<Database>, id: number): Promise<Account> {
  return inTransaction(db, async (trx) => {
    const account = await getAccount(trx, id);
    if (!account) throw new AccountError(`account ${id} does not exist`);
    await keepAnAdmin(trx, account, 'removed');
    await trx.deleteFrom('accounts').where('id', '=', id).execute();
    return account;
  });
}

export interface AccessChange {
  role: Role;
  /** The instruments to limit the account to (empty for every one); undefined keeps them as they are. */
  instruments?: readonly string[] | undefined;
}

/** Changes an account's role and, if given, its instruments; resolves to the account before and after. */
export async function setAccountAccess(db: Kysely<Database>, id: number, change: AccessChange): Promise<{ before: Account; after: Account }> {
  if (!isRole(change.role)) throw new AccountError(`the role must be one of ${ROLES.join(', ')}, not ${JSON.stringify(change.role)}`);
  return inTransaction(db, async (trx) => {
    const before = await getAccount(trx, id);
    if (!before) throw new AccountError(`account ${id} does not exist`);
    // Becoming an admin lifts the limits, as an admin cannot have any; otherwise they stay unless replaced.
    const wanted = change.instruments ?? (change.role === 'admin' ? [] : before.instruments);
    const instruments = await checkInstruments(trx, change.role, wanted);
    if (change.role !== 'admin') await keepAnAdmin(trx, before, `made ${change.role === 'analyst' ? 'an' : 'a'} ${change.role}`);
    await trx.updateTable('accounts').set({ role: change.role }).where('id', '=', id).execute();
    await writeInstruments(trx, id, instruments);
    return { before, after: { ...before, role: change.role, instruments } };
  });
}

/**
 * Stores a password hash made elsewhere: clears any lockout and signs the account out everywhere,
 * since whoever knew the old password may hold a session. For callers in this folder.
 */
export async function writePasswordHash(db: Kysely<Database>, id: number, passwordHash: string, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('accounts')
      .set({ password_hash: passwordHash, password_changed_at: now, failed_sign_ins: 0, locked_until: null })
      .where('id', '=', id)
      .execute();
    await revokeAllSessions(trx, id, now);
  });
}

/** Sets an account's password, if it meets the rules (an `AccountError` says which it breaks). */
export async function setPassword(db: Kysely<Database>, id: number, password: string, now: Date): Promise<Account> {
  const account = await getAccount(db, id);
  if (!account) throw new AccountError(`account ${id} does not exist`);
  const problem = passwordProblem(password, account.email);
  if (problem) throw new AccountError(problem);
  await writePasswordHash(db, id, await hashPassword(password), now);
  return { ...account, hasPassword: true, passwordChangedAt: now, lockedUntil: null };
}

/**
 * Checks a sign-in: the account when the address and password match and the account is not
 * locked; otherwise `SIGN_IN_REFUSED`, the same value whatever the reason.
 */
export async function checkSignIn(db: Kysely<Database>, email: string, password: string, now: Date): Promise<SignInResult> {
  const row = await db.selectFrom('accounts').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  if (!row || row.password_hash === null) {
    await spendVerification(password);
    return SIGN_IN_REFUSED;
  }
  // Verified even while locked, so that a locked account is refused in the time any other is.
  const matches = await verifyPassword(row.password_hash, password);
  if (row.locked_until !== null && new Date(row.locked_until) > now) return SIGN_IN_REFUSED;
  if (!matches) {
    await recordFailedSignIn(db, row.id, now);
    return SIGN_IN_REFUSED;
  }
  const rehashed = needsRehash(row.password_hash) ? await hashPassword(password) : undefined;
  const updated = await db
    .updateTable('accounts')
    .set({ failed_sign_ins: 0, locked_until: null, ...(rehashed ? { password_hash: rehashed } : {}) })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ok: true, account: (await withInstruments(db, [updated]))[0]! };
}

/** One more failure in a row; the last one allowed locks the account and starts the count again. */
async function recordFailedSignIn(db: Kysely<Database>, id: number, now: Date): Promise<void> {
  // Both expressions read the row as it was, under its lock: one statement, so parallel guesses count.
  const locks = sql<boolean>`failed_sign_ins + 1 >= ${MAX_FAILED_SIGN_INS}`;
  await db
    .updateTable('accounts')
    .set({
      failed_sign_ins: sql<number>`case when ${locks} then 0 else failed_sign_ins + 1 end`,
      locked_until: sql<Date | null>`case when ${locks} then ${new Date(now.getTime() + LOCKOUT_MS)}::timestamptz else locked_until end`,
    })
    .where('id', '=', id)
    .execute();
}
