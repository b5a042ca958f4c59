import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/instrument/load.ts';
import {
  AccountError,
  checkSignIn,
  createAccount,
  findAccountByEmail,
  listAccounts,
  LOCKOUT_MS,
  removeAccount,
  setAccountAccess,
  setPassword,
  SIGN_IN_REFUSED,
  type Account,
} from '../../src/store/accounts.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { hashToken } from '../../src/store/invitations.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { consumePasswordToken, createPasswordToken, findPasswordToken, setPasswordWithToken } from '../../src/store/password-tokens.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/store/passwords.ts';
import { createSession, findSession, revokeAllSessions, revokeSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../src/store/sessions.ts';
import { testInstrument } from '../support/instrument.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const T0 = new Date('2026-03-02T09:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const PASSWORD = 'a long and unusual passphrase';

describe(`accounts on ${backend}`, () => {
  let store: TestStore;
  let counter = 0;

  /** A new account with a password, so that tests do not share lockout counts or sessions. */
  async function account(role: Account['role'] = 'editor'): Promise<Account> {
    const created = await createAccount(store.db, { email: `person${++counter}@example.org`, role, now: T0 });
    return setPassword(store.db, created.id, PASSWORD, T0);
  }

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    for (const id of ['leadership-individual', 'leadership-organisational']) {
      const instrument = testInstrument([[{ id: 'sector', type: 'single', text: 'Sector?', options: { public: 'Public', private: 'Private' } }]], { id });
      await publishInstrument(store.db, { instrument, sourceText: '', contentHash: contentHash(instrument) });
    }
  });
  afterAll(() => store.dispose());

  describe('passwords', () => {
    it('hashes with argon2id, a salt of its own each time, and never keeps the password itself', async () => {
      const first = await hashPassword(PASSWORD);
      const second = await hashPassword(PASSWORD);
      expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(first).not.toContain(PASSWORD);
      expect(first).not.toBe(second);
      expect(await verifyPassword(first, PASSWORD)).toBe(true);
      expect(await verifyPassword(first, `${PASSWORD}!`)).toBe(false);
      expect(await verifyPassword('not a hash', PASSWORD)).toBe(false);
    });

    it('stores only the hash in the accounts table', async () => {
      const person = await account();
      const row = await store.db.selectFrom('accounts').select('password_hash').where('id', '=', person.id).executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(row.password_hash!, PASSWORD)).toBe(true);
    });

    it('refuses, naming the password, one too short, too long, the e-mail address or among the commonest', () => {
      expect(passwordProblem('short', 'a@example.org')).toBe('the password must be at least 12 characters long (this one has 5)');
      expect(passwordProblem('x'.repeat(257), 'a@example.org')).toBe('the password must be at most 256 characters long (this one has 257)');
      expect(passwordProblem(' Lea.Jones@Example.org'.trim(), 'lea.jones@example.org')).toBe('the password must not be the account’s e-mail address');
      expect(passwordProblem('Password1234', 'a@example.org')).toBe('the password is one of the commonest passwords, which are tried first: choose another');
      expect(passwordProblem('ééééééééééé', 'a@example.org')).toMatch(/this one has 11/);
      expect(passwordProblem(PASSWORD, 'a@example.org')).toBeUndefined();
    });

    it('refuses to set a password that breaks the rules, and leaves the account without one', async () => {
      const created = await createAccount(store.db, { email: 'norules@example.org', role: 'viewer', now: T0 });
      await expect(setPassword(store.db, created.id, 'norules@example.org', T0)).rejects.toThrow(AccountError);
      expect((await findAccountByEmail(store.db, 'norules@example.org'))!.hasPassword).toBe(false);
    });
  });

  describe('accounts', () => {
    it('keeps the address trimmed and in lower case, so one person cannot have two accounts', async () => {
      const created = await createAccount(store.db, { email: '  Lea.Jones@Example.ORG ', role: 'analyst', instruments: ['leadership-individual'], now: T0 });
      expect(created).toMatchObject({ email: 'lea.jones@example.org', role: 'analyst', instruments: ['leadership-individual'], hasPassword: false, lockedUntil: null });
      await expect(createAccount(store.db, { email: 'LEA.JONES@example.org', role: 'viewer', now: T0 })).rejects.toThrow('there is already an account for lea.jones@example.org');
      expect((await findAccountByEmail(store.db, ' lea.JONES@example.org'))!.id).toBe(created.id);
      await expect(sql`insert into accounts (email, role) values ('Mixed@Example.org', 'viewer')`.execute(store.db)).rejects.toThrow(/accounts_email_check/);
      await expect(sql`insert into accounts (email, role) values ('x@example.org', 'superuser')`.execute(store.db)).rejects.toThrow(/accounts_role_check/);
    });

    it('refuses a bad address, an unknown role or an instrument never published, adding nothing', async () => {
      const before = (await listAccounts(store.db)).length;
      await expect(createAccount(store.db, { email: 'not an address', role: 'viewer', now: T0 })).rejects.toThrow('the e-mail address must look like name@example.org, not "not an address"');
      await expect(createAccount(store.db, { email: 'r@example.org', role: 'boss' as Account['role'], now: T0 })).rejects.toThrow('the role must be one of admin, owner, editor, analyst, viewer, not "boss"');
      await expect(createAccount(store.db, { email: 'i@example.org', role: 'editor', instruments: ['leadership-individual', 'nothing'], now: T0 })).rejects.toThrow(
        'no version of nothing is published, so an account cannot be limited to it (published instruments: leadership-individual, leadership-organisational)',
      );
      await expect(createAccount(store.db, { email: 'a@example.org', role: 'admin', instruments: ['leadership-individual'], now: T0 })).rejects.toThrow('an admin account cannot be limited');
      expect(await listAccounts(store.db)).toHaveLength(before);
    });

    it('changes a role and its instruments, keeping the instruments when none are given', async () => {
      const person = await createAccount(store.db, { email: 'roles@example.org', role: 'viewer', instruments: ['leadership-individual'], now: T0 });
      const { before, after } = await setAccountAccess(store.db, person.id, { role: 'editor' });
      expect([before.role, after.role, after.instruments]).toEqual(['viewer', 'editor', ['leadership-individual']]);
      expect((await setAccountAccess(store.db, person.id, { role: 'owner', instruments: ['leadership-organisational', 'leadership-individual'] })).after.instruments).toEqual([
        'leadership-individual',
        'leadership-organisational',
      ]);
      expect((await setAccountAccess(store.db, person.id, { role: 'admin' })).after.instruments).toEqual([]);
      await expect(setAccountAccess(store.db, person.id, { role: 'editor', instruments: ['nothing'] })).rejects.toThrow('no version of nothing is published');
      expect(await findAccountByEmail(store.db, 'roles@example.org')).toMatchObject({ role: 'admin', instruments: [] });
    });
  });

  describe('signing in', () => {
    it('gives the same refusal for an unknown address, a wrong password and an account with no password', async () => {
      const person = await account();
      const noPassword = await createAccount(store.db, { email: 'nopassword@example.org', role: 'viewer', now: T0 });
      const unknown = await checkSignIn(store.db, 'nobody@example.org', PASSWORD, T0);
      const wrong = await checkSignIn(store.db, person.email, 'the wrong passphrase here', T0);
      const none = await checkSignIn(store.db, noPassword.email, PASSWORD, T0);
      expect(unknown).toBe(SIGN_IN_REFUSED);
      expect(wrong).toBe(SIGN_IN_REFUSED);
      expect(none).toBe(SIGN_IN_REFUSED);
      expect(await checkSignIn(store.db, ` ${person.email.toUpperCase()} `, PASSWORD, T0)).toMatchObject({ ok: true, account: { id: person.id } });
    });

    it('spends as long on an unknown address as on a wrong password', async () => {
      const person = await account();
      const timed = async (work: () => Promise<unknown>) => {
        const start = performance.now();
        await work();
        return performance.now() - start;
      };
      const median = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      await checkSignIn(store.db, 'warm@example.org', PASSWORD, T0);
      // Taken in turns, so a machine that gets busier half-way slows both alike; five, since the
      // fifth wrong password locks the account and a locked one is refused without hashing.
      const wrongTimes: number[] = [];
      const unknownTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        wrongTimes.push(await timed(() => checkSignIn(store.db, person.email, 'the wrong passphrase here', T0)));
        unknownTimes.push(await timed(() => checkSignIn(store.db, 'nobody@example.org', PASSWORD, T0)));
      }
      const [wrong, unknown] = [median(wrongTimes), median(unknownTimes)];
      // Without the decoy verification an unknown address answers in a few milliseconds, a
      // twentieth of a wrong password's time; with it, the two are alike (a wrong password also
      // writes its failure, which on a loaded machine can take as long as the hashing).
      expect(unknown).toBeGreaterThan(wrong * 0.25);
    });

    it('locks an account for fifteen minutes after five failures in a row, then lets the right password in', async () => {
      const person = await account();
      for (let i = 0; i < 4; i++) expect(await checkSignIn(store.db, person.email, 'not the passphrase', minutes(i))).toBe(SIGN_IN_REFUSED);
      expect((await findAccountByEmail(store.db, person.email))!.lockedUntil).toBeNull();
      expect(await checkSignIn(store.db, person.email, 'not the passphrase', minutes(4))).toBe(SIGN_IN_REFUSED);
      expect((await findAccountByEmail(store.db, person.email))!.lockedUntil).toEqual(new Date(minutes(4).getTime() + LOCKOUT_MS));
      expect(await checkSignIn(store.db, person.email, PASSWORD, minutes(5))).toBe(SIGN_IN_REFUSED);
      expect(await checkSignIn(store.db, person.email, PASSWORD, new Date(minutes(19).getTime() - 1))).toBe(SIGN_IN_REFUSED);
      expect(await checkSignIn(store.db, person.email, PASSWORD, minutes(19))).toMatchObject({ ok: true, account: { lockedUntil: null } });
    });

    it('starts the count again after a success', async () => {
      const person = await account();
      for (let i = 0; i < 4; i++) await checkSignIn(store.db, person.email, 'not the passphrase', T0);
      expect((await checkSignIn(store.db, person.email, PASSWORD, T0)).ok).toBe(true);
      for (let i = 0; i < 4; i++) await checkSignIn(store.db, person.email, 'not the passphrase', T0);
      expect((await checkSignIn(store.db, person.email, PASSWORD, T0)).ok).toBe(true);
    });

    it('counts failures that arrive at once, so parallel guesses are locked out too', async () => {
      const person = await account();
      await Promise.all(Array.from({ length: 5 }, () => checkSignIn(store.db, person.email, 'not the passphrase', T0)));
      expect((await findAccountByEmail(store.db, person.email))!.lockedUntil).not.toBeNull();
    });
  });

  describe('set-password links', () => {
    it('keeps only a hash of the token, and lets it be used once', async () => {
      const person = await createAccount(store.db, { email: 'link@example.org', role: 'viewer', now: T0 });
      const { token, expiresAt } = await createPasswordToken(store.db, person.id, T0);
      expect(expiresAt).toEqual(minutes(24 * 60));
      const stored = await store.db.selectFrom('password_tokens').select('token_hash').where('account_id', '=', person.id).execute();
      expect(stored).toEqual([{ token_hash: hashToken(token) }]);
      expect((await findPasswordToken(store.db, token, T0))!.id).toBe(person.id);
      expect((await consumePasswordToken(store.db, token, minutes(1)))!.id).toBe(person.id);
      expect(await consumePasswordToken(store.db, token, minutes(2))).toBeUndefined();
      expect(await findPasswordToken(store.db, token, minutes(2))).toBeUndefined();
    });

    it('refuses a link 24 hours after it was made, and an older link once a newer one is made', async () => {
      const person = await createAccount(store.db, { email: 'expiry@example.org', role: 'viewer', now: T0 });
      const first = await createPasswordToken(store.db, person.id, T0);
      expect(await consumePasswordToken(store.db, first.token, minutes(24 * 60))).toBeUndefined();
      const second = await createPasswordToken(store.db, person.id, minutes(1));
      const third = await createPasswordToken(store.db, person.id, minutes(2));
      expect(await consumePasswordToken(store.db, second.token, minutes(3))).toBeUndefined();
      expect((await consumePasswordToken(store.db, third.token, minutes(3)))!.id).toBe(person.id);
      expect(await consumePasswordToken(store.db, 'a token nobody was given', minutes(3))).toBeUndefined();
    });

    it('sets the password through a link, leaving the link usable when the password breaks the rules', async () => {
      const person = await createAccount(store.db, { email: 'through-link@example.org', role: 'viewer', now: T0 });
      const { token } = await createPasswordToken(store.db, person.id, T0);
      await expect(setPasswordWithToken(store.db, token, 'too short', minutes(1))).rejects.toThrow('the password must be at least 12 characters long');
      const set = await setPasswordWithToken(store.db, token, PASSWORD, minutes(2));
      expect(set).toMatchObject({ id: person.id, hasPassword: true, passwordChangedAt: minutes(2) });
      expect(await setPasswordWithToken(store.db, token, `${PASSWORD} again`, minutes(3))).toBeUndefined();
      expect((await checkSignIn(store.db, person.email, PASSWORD, minutes(4))).ok).toBe(true);
    });
  });

  describe('sessions', () => {
    it('keeps only a hash of the token and finds the session with its account as it is now', async () => {
      const person = await account('viewer');
      const { token, session } = await createSession(store.db, { accountId: person.id, now: T0, address: '192.0.2.7', userAgent: 'Firefox' });
      expect(session.id).toBe(hashToken(token));
      expect(await store.db.selectFrom('sessions').select('id').where('id', '=', token).execute()).toEqual([]);
      await setAccountAccess(store.db, person.id, { role: 'analyst' });
      const found = await findSession(store.db, token, minutes(1));
      expect(found).toMatchObject({ session: { accountId: person.id, lastSeenAt: minutes(1), expiresAt: minutes(12 * 60), address: '192.0.2.7' }, account: { role: 'analyst' } });
      expect(await findSession(store.db, 'a token nobody was given', minutes(1))).toBeUndefined();
    });

    it('ends a session thirty minutes after its last request', async () => {
      const person = await account();
      const { token } = await createSession(store.db, { accountId: person.id, now: T0, address: null, userAgent: null });
      expect(await findSession(store.db, token, minutes(29))).toBeDefined();
      expect(await findSession(store.db, token, minutes(58))).toBeDefined();
      expect(await findSession(store.db, token, new Date(minutes(58).getTime() + SESSION_IDLE_MS))).toBeUndefined();
      expect(await findSession(store.db, token, minutes(89))).toBeUndefined();
    });

    it('ends a session twelve hours after sign-in however busy it is', async () => {
      const person = await account();
      const { token } = await createSession(store.db, { accountId: person.id, now: T0, address: null, userAgent: null });
      for (let m = 20; m < 12 * 60; m += 20) expect([m, await findSession(store.db, token, minutes(m))]).toEqual([m, expect.anything()]);
      expect(await findSession(store.db, token, new Date(T0.getTime() + SESSION_ABSOLUTE_MS))).toBeUndefined();
    });

    it('ends one session on signing out and leaves the others', async () => {
      const person = await account();
      const one = await createSession(store.db, { accountId: person.id, now: T0, address: null, userAgent: null });
      const other = await createSession(store.db, { accountId: person.id, now: T0, address: null, userAgent: null });
      expect(await revokeSession(store.db, one.token, minutes(1))).toBe(true);
      expect(await revokeSession(store.db, one.token, minutes(1))).toBe(false);
      expect(await findSession(store.db, one.token, minutes(2))).toBeUndefined();
      expect(await findSession(store.db, other.token, minutes(2))).toBeDefined();
      expect(await revokeAllSessions(store.db, person.id, minutes(3))).toBe(1);
      expect(await findSession(store.db, other.token, minutes(4))).toBeUndefined();
    });

    it('ends every session of an account when its password changes, directly or through a link', async () => {
      const person = await account();
      const before = await createSession(store.db, { accountId: person.id, now: T0, address: null, userAgent: null });
      await setPassword(store.db, person.id, 'another long passphrase', minutes(1));
      expect(await findSession(store.db, before.token, minutes(2))).toBeUndefined();
      const again = await createSession(store.db, { accountId: person.id, now: minutes(2), address: null, userAgent: null });
      const { token } = await createPasswordToken(store.db, person.id, minutes(2));
      await setPasswordWithToken(store.db, token, 'yet another long passphrase', minutes(3));
      expect(await findSession(store.db, again.token, minutes(4))).toBeUndefined();
    });

    it('ends the sessions and links of an account that is removed', async () => {
      const person = await account();
      const { token } = await createSession(store.db, { accountId: person.id, now: T0, address: null, userAgent: null });
      const link = await createPasswordToken(store.db, person.id, T0);
      expect((await removeAccount(store.db, person.id)).email).toBe(person.email);
      expect(await findSession(store.db, token, minutes(1))).toBeUndefined();
      expect(await consumePasswordToken(store.db, link.token, minutes(1))).toBeUndefined();
      expect(await checkSignIn(store.db, person.email, PASSWORD, minutes(1))).toBe(SIGN_IN_REFUSED);
      await expect(removeAccount(store.db, person.id)).rejects.toThrow(`account ${person.id} does not exist`);
    });
  });
});
