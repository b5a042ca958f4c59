import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.ts';
import type { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, startWorkspace, type Workspace } from '../support/workspace.ts';

const PAGE = '/admin/tokens';

describe(`API tokens in the workspace on ${backend}`, () => {
  let ws: Workspace;
  let admin: Browser;
  let owner: Browser;
  const tokens = async () => (await ws.store.db.selectFrom('api_tokens').select('id').execute()).length;
  const api = (token: string, url = '/api/v1/instruments') => ws.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    ws = await startWorkspace();
    await ws.addAccount('ad@example.org', 'admin');
    await ws.addAccount('ow@example.org', 'owner', ['leadership-individual']);
    admin = await ws.signIn('ad@example.org');
    owner = await ws.signIn('ow@example.org');
  });
  afterAll(() => ws.dispose());

  it('makes a token limited to one instrument, shows it once, and the API takes it until it is revoked', async () => {
    const page = await admin.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.$('nav a[href="/admin/tokens"]').length + page.$('a[href="/admin/tokens"]').length).toBeGreaterThan(0);
    const response = await ws.app.inject({
      method: 'POST',
      url: PAGE,
      headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['_csrf', csrfOf(page)], ['name', 'Warehouse <nightly>'], ['role', 'analyst'], ['instruments', 'leadership-individual'], ['expires', '90d']]).toString(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const token = /<code id="new-token"[^>]*>(tap_[^<]+)<\/code>/.exec(response.body)?.[1];
    expect(token).toBeDefined();
    expect(response.body).toContain('Warehouse &lt;nightly&gt;');
    // The token itself is never stored, nor shown again.
    expect(JSON.stringify(await ws.store.db.selectFrom('api_tokens').selectAll().execute())).not.toContain(token!);
    expect((await admin.get(PAGE)).html).not.toContain(token!);

    const listed = await api(token!);
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as { instruments: { id: string }[] }).instruments.map((i) => i.id)).toEqual(['leadership-individual']);

    const id = (await ws.store.db.selectFrom('api_tokens').select('id').where('name', '=', 'Warehouse <nightly>').executeTakeFirstOrThrow()).id;
    const list = await admin.get(PAGE);
    const revoked = await admin.post(`${PAGE}/${id}/revoke`, [['_csrf', csrfOf(list)]]);
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe(`${PAGE}?revoked=${id}`);
    expect((await api(token!)).statusCode).toBe(403);
    expect((await admin.get(PAGE)).$('#tokens tbody').text()).toContain('revoked');
    const again = await admin.post(`${PAGE}/${id}/revoke`, [['_csrf', csrfOf(list)]]);
    expect(again.status).toBe(409);

    const audit = await listAudit(ws.store.db, {});
    expect(audit.filter((e) => e.action === 'token-created' || e.action === 'token-revoked').map((e) => [e.action, e.actor])).toEqual([
      ['token-revoked', 'ad@example.org'],
      ['token-created', 'ad@example.org'],
    ]);
  });

  it('refuses a form with every problem beside its field, with a 400, making nothing', async () => {
    const before = await tokens();
    const page = await admin.get(PAGE);
    const bad = await admin.post(PAGE, [['_csrf', csrfOf(page)], ['name', ''], ['role', 'boss'], ['instruments', 'no-such-survey'], ['expires', 'soon']]);
    expect(bad.status).toBe(400);
    expect(bad.$('.govuk-error-summary__list a').map((_, a) => bad.$(a).attr('href')).get()).toEqual(['#name', '#role', '#instruments', '#expires']);
    const adminLimited = await admin.post(PAGE, [['_csrf', csrfOf(page)], ['name', 'x'], ['role', 'admin'], ['instruments', 'leadership-individual']]);
    expect(adminLimited.status).toBe(400);
    expect(adminLimited.$('.govuk-error-summary').text()).toContain('An admin token covers every instrument');
    expect(await tokens()).toBe(before);
  });

  it('refuses an owner the page and the forms, and anyone a post without its CSRF token', async () => {
    const before = await tokens();
    const home = await owner.get('/admin');
    expect(home.$('a[href="/admin/tokens"]').length).toBe(0);
    expect((await owner.get(PAGE)).status).toBe(403);
    expect((await owner.post(PAGE, [['_csrf', csrfOf(home)], ['name', 'mine'], ['role', 'viewer']])).status).toBe(403);
    expect((await admin.post(PAGE, [['name', 'no token'], ['role', 'viewer']])).status).toBe(403);
    expect(await tokens()).toBe(before);
  });
});
