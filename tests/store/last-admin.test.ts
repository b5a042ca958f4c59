/**
 * The workspace always keeps an admin: the last one can be neither removed nor given another role,
 * from the workspace or the command line, and two admins removing each other at once cannot leave
 * none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountError, createAccount, listAccounts, removeAccount, setAccountAccess, type Account } from '../../src/store/accounts.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const T0 = new Date('2026-03-02T09:00:00Z');

describe(`the last admin on ${backend}`, () => {
  let store: TestStore;
  let counter = 0;
  const add = (role: Account['role']) => createAccount(store.db, { email: `keeper${++counter}@example.org`, role, now: T0 });
  const admins = async () => (await listAccounts(store.db)).filter((a) => a.role === 'admin').map((a) => a.email);

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
  });
  afterAll(() => store.dispose());

  it('refuses to remove the only admin, or to give it another role, and changes nothing', async () => {
    const only = await add('admin');
    const editor = await add('editor');
    await expect(removeAccount(store.db, only.id)).rejects.toThrow(new AccountError(`${only.email} is the only admin, so it cannot be removed: make another account an admin first`));
    await expect(setAccountAccess(store.db, only.id, { role: 'analyst' })).rejects.toThrow(`${only.email} is the only admin, so it cannot be made an analyst`);
    await expect(setAccountAccess(store.db, only.id, { role: 'viewer' })).rejects.toThrow(`${only.email} is the only admin, so it cannot be made a viewer`);
    expect(await admins()).toEqual([only.email]);
    // Other accounts come and go as before, and the admin may stay an admin.
    expect((await setAccountAccess(store.db, only.id, { role: 'admin' })).after.role).toBe('admin');
    expect((await removeAccount(store.db, editor.id)).email).toBe(editor.email);
    await removeAccount(store.db, (await add('admin')).id);
    expect(await admins()).toEqual([only.email]);
  });

  it('lets one of two admins go, and then keeps the other', async () => {
    const [first] = await admins();
    const second = await add('admin');
    const demoted = await setAccountAccess(store.db, second.id, { role: 'editor' });
    expect(demoted.after.role).toBe('editor');
    await setAccountAccess(store.db, second.id, { role: 'admin' });
    const firstAccount = (await listAccounts(store.db)).find((a) => a.email === first)!;
    await removeAccount(store.db, firstAccount.id);
    await expect(removeAccount(store.db, second.id)).rejects.toThrow('is the only admin');
    expect(await admins()).toEqual([second.email]);
  });

  it('refuses the second of two admins removing each other at the same moment', async () => {
    const [kept] = await admins();
    const other = await add('admin');
    const keptId = (await listAccounts(store.db)).find((a) => a.email === kept)!.id;
    // The second removal starts while the first's transaction is still open. On PostgreSQL it runs
    // on a connection of its own and, without a lock, would still see both admins and go through;
    // PGlite, one connection, runs it after the first commits.
    let second: Promise<Account> | undefined;
    await store.db.transaction().execute(async (trx) => {
      await removeAccount(trx, keptId);
      second = store.db.transaction().execute((trx2) => removeAccount(trx2, other.id));
      second.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await expect(second).rejects.toThrow(new AccountError(`${other.email} is the only admin, so it cannot be removed: make another account an admin first`));
    expect(await admins()).toHaveLength(1);
  });
});
