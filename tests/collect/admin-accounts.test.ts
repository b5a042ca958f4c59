import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail, listAccounts } from '../../src/store/accounts.ts';
import { appendAudit, countAudit, listAudit } from '../../src/store/audit.ts';
import { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, PASSWORD, startWorkspace, type Workspace } from '../support/workspace.ts';

describe(`the workspace's accounts and audit pages on ${backend}`, () => {
  let ws: Workspace;
  let admin: Browser;

  beforeAll(async () => {
    ws = await startWorkspace({ signInsPerMinute: 1000 });
    await ws.addAccount('ada@example.org', 'admin');
    await ws.addAccount('olu@example.org', 'owner', ['leadership-individual']);
    admin = await ws.signIn('ada@example.org');
  });
  afterAll(() => ws.dispose());

  it('adds an account whose one-time link sets its password and signs it in', async () => {
    const page = await admin.get('/admin/accounts');
    const added = await admin.post('/admin/accounts', [
      ['_csrf', csrfOf(page)],
      ['email', 'Eve@Example.org'],
      ['role', 'editor'],
      ['instruments', 'leadership-individual'],
    ]);
    expect(added.status).toBe(200);
    const link = added.$('.tapestry-link-text code').text();
    expect(link).toMatch(/^http:\/\/localhost(:\d+)?\/admin\/set-password\/[A-Za-z0-9_-]{40,}$/);
    const account = await findAccountByEmail(ws.store.db, 'eve@example.org');
    expect(account).toMatchObject({ role: 'editor', instruments: ['leadership-individual'], hasPassword: false });

    const eve = new Browser(ws.app);
    const path = new URL(link).pathname;
    const form = await eve.get(path);
    expect(form.status).toBe(200);
    const tooShort = await eve.post(path, [['_csrf', csrfOf(form)], ['password', 'short'], ['confirm', 'short']]);
    expect(tooShort.status).toBe(400);
    expect(tooShort.$('#password-error').text()).toContain('12');
    const set = await eve.post(path, [['_csrf', csrfOf(form)], ['password', PASSWORD], ['confirm', PASSWORD]]);
    expect(set.location).toBe('/admin');
    expect((await eve.get('/admin')).status).toBe(200);
    // Used once: the same link now leads nowhere.
    expect((await new Browser(ws.app).get(path)).status).toBe(404);
  });

  it('says what is wrong with each field of a new account, and adds nothing', async () => {
    const before = (await listAccounts(ws.store.db)).length;
    const page = await admin.get('/admin/accounts');
    const refused = await admin.post('/admin/accounts', [['_csrf', csrfOf(page)], ['email', 'not an address'], ['role', 'wizard']]);
    expect(refused.status).toBe(400);
    expect(refused.$('.govuk-error-summary__list a').map((_, a) => refused.$(a).attr('href')).get()).toEqual(['#email', '#role']);
    expect((await listAccounts(ws.store.db)).length).toBe(before);
  });

  it('lets an owner give roles on its own instrument only, and never the admin role', async () => {
    const owner = await ws.signIn('olu@example.org');
    const page = await owner.get('/admin/accounts');
    expect(page.status).toBe(200);
    expect(page.$('#role-admin').length).toBe(0);
    const theirs = await owner.post('/admin/accounts', [['_csrf', csrfOf(page)], ['email', 'ike@example.org'], ['role', 'analyst'], ['instruments', 'leadership-individual']]);
    expect(theirs.status).toBe(200);
    const other = await owner.post('/admin/accounts', [['_csrf', csrfOf(page)], ['email', 'jo@example.org'], ['role', 'analyst'], ['instruments', 'leadership-organisational']]);
    expect(other.status).toBe(400);
    const admins = await owner.post('/admin/accounts', [['_csrf', csrfOf(page)], ['email', 'kim@example.org'], ['role', 'admin']]);
    expect(admins.status).toBe(400);
    expect(await findAccountByEmail(ws.store.db, 'jo@example.org')).toBeUndefined();
    expect(await findAccountByEmail(ws.store.db, 'kim@example.org')).toBeUndefined();
  });

  it('changes a role and removes an account, each with its audit row, and refuses changing one’s own', async () => {
    const target = (await findAccountByEmail(ws.store.db, 'ike@example.org'))!;
    const self = (await findAccountByEmail(ws.store.db, 'ada@example.org'))!;
    const page = await admin.get('/admin/accounts');
    const changed = await admin.post(`/admin/accounts/${target.id}/access`, [['_csrf', csrfOf(page)], ['role', 'viewer'], ['instruments', 'leadership-individual']]);
    expect(changed.location).toBe('/admin/accounts');
    expect((await findAccountByEmail(ws.store.db, 'ike@example.org'))!.role).toBe('viewer');
    const own = await admin.post(`/admin/accounts/${self.id}/remove`, [['_csrf', csrfOf(page)]]);
    expect(own.status).toBe(403);
    const removed = await admin.post(`/admin/accounts/${target.id}/remove`, [['_csrf', csrfOf(page)]]);
    expect(removed.location).toBe('/admin/accounts');
    expect(await findAccountByEmail(ws.store.db, 'ike@example.org')).toBeUndefined();
    const entries = await listAudit(ws.store.db, { actor: 'ada@example.org' });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['account-added', 'role-changed', 'account-removed']));
  });

  it('shows the audit log filtered, refuses a date that is not one, and shows an owner only its instrument’s entries', async () => {
    const all = await admin.get('/admin/audit');
    expect(all.status).toBe(200);
    expect(all.$('tbody tr').length).toBe(await countAudit(ws.store.db));
    const signIns = await admin.get('/admin/audit?action=sign-in');
    expect(signIns.$('tbody tr').length).toBe(await countAudit(ws.store.db, { action: 'sign-in' }));
    const badDate = await admin.get('/admin/audit?since=2026-02-30');
    expect(badDate.status).toBe(400);
    expect(badDate.$('.govuk-error-summary__list a').attr('href')).toBe('#since');

    for (const instrumentId of ['leadership-individual', 'leadership-organisational']) {
      await appendAudit(ws.store.db, { actor: 'command line (tester)', actorAccountId: null, address: null, at: ws.clock.now, action: 'wave-opened', instrumentId, wave: '2011', summary: `opened wave 2011 of ${instrumentId}` });
    }
    const owner = await ws.signIn('olu@example.org');
    const theirs = await owner.get('/admin/audit');
    expect(theirs.status).toBe(200);
    const instruments = theirs.$('tbody tr td:nth-child(5)').map((_, td) => theirs.$(td).text().trim()).get();
    expect(instruments).toEqual(['leadership-individual / 2011']);
    expect((await owner.get('/admin/audit?instrument=leadership-organisational')).status).toBe(400);
  });
});
