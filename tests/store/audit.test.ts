import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountActor, appendAudit, commandLineActor, countAudit, listAudit, type AuditEntry } from '../../src/store/audit.ts';
import { createAccount, removeAccount } from '../../src/store/accounts.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute));

describe(`the audit log on ${backend}`, () => {
  let store: TestStore;
  let first: AuditEntry;

  beforeAll(async () => {
    store = await openTestStore();
    await migrateToLatest(store);
    first = await appendAudit(store.db, {
      ...commandLineActor('lea'),
      at: at(0),
      action: 'published',
      instrumentId: 'leadership-individual',
      summary: 'published leadership-individual 1.1',
      details: { version: '1.1', hash: 'abc' },
    });
    await appendAudit(store.db, { ...commandLineActor('lea'), at: at(1), action: 'wave-opened', instrumentId: 'leadership-individual', wave: '2026', summary: 'opened wave 2026' });
    await appendAudit(store.db, { ...accountActor({ id: 7, email: 'sam@example.org' }, '192.0.2.1'), at: at(2), action: 'exported', instrumentId: 'leadership-organisational', wave: '2026', summary: 'exported responses' });
    await appendAudit(store.db, { ...accountActor({ id: 7, email: 'sam@example.org' }, '192.0.2.1'), at: at(2), action: 'sign-out', summary: 'signed out' });
  });
  afterAll(() => store.dispose());

  it('appends an entry with who, where, what and the details, as written', async () => {
    expect(first).toEqual({
      id: first.id,
      at: at(0),
      actor: 'command line (lea)',
      actorAccountId: null,
      address: null,
      action: 'published',
      instrumentId: 'leadership-individual',
      wave: null,
      summary: 'published leadership-individual 1.1',
      details: { version: '1.1', hash: 'abc' },
    });
  });

  it('lists newest first, ties in the order written, and filters by instrument, time, action and actor', async () => {
    expect((await listAudit(store.db)).map((e) => e.action)).toEqual(['sign-out', 'exported', 'wave-opened', 'published']);
    expect((await listAudit(store.db, { instrumentId: 'leadership-individual' })).map((e) => e.action)).toEqual(['wave-opened', 'published']);
    expect((await listAudit(store.db, { since: at(1) })).map((e) => e.action)).toEqual(['sign-out', 'exported', 'wave-opened']);
    expect((await listAudit(store.db, { action: 'exported' })).map((e) => e.address)).toEqual(['192.0.2.1']);
    expect((await listAudit(store.db, { actor: 'command line (lea)', since: at(1) })).map((e) => e.action)).toEqual(['wave-opened']);
    expect(await countAudit(store.db, { actor: 'sam@example.org' })).toBe(2);
  });

  it('pages with a limit and an offset', async () => {
    expect((await listAudit(store.db, {}, { limit: 2 })).map((e) => e.action)).toEqual(['sign-out', 'exported']);
    expect((await listAudit(store.db, {}, { limit: 2, offset: 2 })).map((e) => e.action)).toEqual(['wave-opened', 'published']);
    expect(await listAudit(store.db, {}, { limit: 2, offset: 4 })).toEqual([]);
    expect(await countAudit(store.db)).toBe(4);
  });

  async function firstRowAsStored() {
    return store.db.selectFrom('audit_log').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
  }

  it('refuses an UPDATE of an audit row, and the row stays as it was', async () => {
    const before = await firstRowAsStored();
    await expect(store.db.updateTable('audit_log').set({ summary: 'nothing happened' }).where('id', '=', first.id).execute()).rejects.toThrow('the audit log only grows: UPDATE is refused');
    await expect(sql`update audit_log set actor = 'someone else'`.execute(store.db)).rejects.toThrow(/only grows/);
    expect(await firstRowAsStored()).toEqual(before);
  });

  it('refuses a DELETE of audit rows, even one that matches none, and every row stays', async () => {
    const before = await firstRowAsStored();
    await expect(store.db.deleteFrom('audit_log').where('id', '=', first.id).execute()).rejects.toThrow('the audit log only grows: DELETE is refused');
    await expect(sql`delete from audit_log where id < 0`.execute(store.db)).rejects.toThrow(/only grows/);
    expect(await firstRowAsStored()).toEqual(before);
    expect(await countAudit(store.db)).toBe(4);
  });

  it('refuses a TRUNCATE of the audit log, and every row stays', async () => {
    await expect(sql`truncate audit_log`.execute(store.db)).rejects.toThrow('the audit log only grows: TRUNCATE is refused');
    await expect(sql`truncate audit_log, sessions`.execute(store.db)).rejects.toThrow(/only grows/);
    expect(await countAudit(store.db)).toBe(4);
  });

  it('keeps the history of an account that is removed', async () => {
    const account = await createAccount(store.db, { email: 'gone@example.org', role: 'viewer', now: at(3) });
    await appendAudit(store.db, { ...accountActor(account, null), at: at(4), action: 'sign-in', summary: 'signed in' });
    await removeAccount(store.db, account.id);
    expect(await listAudit(store.db, { actor: 'gone@example.org' })).toMatchObject([{ actorAccountId: account.id, action: 'sign-in' }]);
  });
});
