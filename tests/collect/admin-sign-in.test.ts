import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.ts';
import { SESSION_IDLE_MS } from '../../src/store/sessions.ts';
import { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, PASSWORD, startWorkspace, type Workspace } from '../support/workspace.ts';

describe(`signing in to the workspace on ${backend}`, () => {
  let ws: Workspace;

  beforeAll(async () => {
    ws = await startWorkspace({ signInsPerMinute: 1000 });
    await ws.addAccount('ada@example.org', 'admin');
  });
  afterAll(() => ws.dispose());

  async function attempt(email: string, password: string) {
    const browser = new Browser(ws.app);
    const form = await browser.get('/admin/sign-in');
    return browser.post('/admin/sign-in', [
      ['_csrf', csrfOf(form)],
      ['email', email],
      ['password', password],
    ]);
  }

  it('sends someone not signed in to the sign-in page, keeping where they were going', async () => {
    const page = await new Browser(ws.app).get('/admin/account?tab=password');
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/admin/sign-in?next=${encodeURIComponent('/admin/account?tab=password')}`);
  });

  it('signs in with the right password and sets a strict, HttpOnly session cookie for /admin only', async () => {
    const browser = new Browser(ws.app);
    const form = await browser.get('/admin/sign-in');
    const signedIn = await browser.post('/admin/sign-in', [
      ['_csrf', csrfOf(form)],
      ['email', ' Ada@Example.org '],
      ['password', PASSWORD],
    ]);
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/admin');
    const cookie = signedIn.cookies.find((c) => c.name === 'tapestry_admin')!;
    expect(cookie).toMatchObject({ path: '/admin', httpOnly: true, sameSite: 'Strict' });
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const home = await browser.get('/admin');
    expect(home.status).toBe(200);
    expect(home.$('.tapestry-signed-in').text()).toContain('ada@example.org');
  });

  it('gives the same message, and the same status, for an unknown e-mail and a wrong password', async () => {
    const unknown = await attempt('nobody@example.org', PASSWORD);
    const wrong = await attempt('ada@example.org', 'not the password at all');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const message = (page: typeof unknown) => page.$('.govuk-error-summary__list').text().trim();
    expect(message(unknown)).toBe(message(wrong));
    expect(message(unknown)).toContain('Either the address or the password is not right');
  });

  it('asks for a missing e-mail or password by field, without counting it as an attempt', async () => {
    const page = await attempt('', '');
    expect(page.status).toBe(400);
    expect(page.$('.govuk-error-summary__list a').map((_, a) => page.$(a).attr('href')).get()).toEqual(['#email', '#password']);
  });

  it('refuses a sign-in form without its CSRF token', async () => {
    const response = await ws.app.inject({
      method: 'POST',
      url: '/admin/sign-in',
      payload: new URLSearchParams([['email', 'ada@example.org'], ['password', PASSWORD]]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.cookies.find((c) => c.name === 'tapestry_admin')).toBeUndefined();
  });

  it('locks the account after five wrong passwords, even for the right one, until fifteen minutes pass', async () => {
    await ws.addAccount('locked@example.org', 'viewer');
    for (let i = 0; i < 5; i++) expect((await attempt('locked@example.org', `wrong guess number ${i}`)).status).toBe(401);
    expect((await attempt('locked@example.org', PASSWORD)).status).toBe(401);
    const at = ws.clock.now;
    ws.clock.now = new Date(at.getTime() + 15 * 60 * 1000 + 1000);
    try {
      expect((await attempt('locked@example.org', PASSWORD)).status).toBe(303);
    } finally {
      ws.clock.now = at;
    }
  });

  it('ends the session on signing out, so its cookie no longer lets anyone in', async () => {
    const browser = await ws.signIn('ada@example.org');
    const home = await browser.get('/admin');
    expect(home.status).toBe(200);
    const cookieBefore = browser.cookies.get('tapestry_admin')!;
    const out = await browser.post('/admin/sign-out', [['_csrf', csrfOf(home)]]);
    expect(out.location).toBe('/admin/sign-in?signed-out=1');
    const replay = await ws.app.inject({ method: 'GET', url: '/admin', headers: { cookie: `tapestry_admin=${cookieBefore}` } });
    expect(replay.statusCode).toBe(303);
  });

  it('ends a session left idle for longer than thirty minutes', async () => {
    const browser = await ws.signIn('ada@example.org');
    const at = ws.clock.now;
    ws.clock.now = new Date(at.getTime() + SESSION_IDLE_MS + 1000);
    try {
      expect((await browser.get('/admin')).status).toBe(303);
    } finally {
      ws.clock.now = at;
    }
  });

  it('limits the attempts one client may make in a minute', async () => {
    const strict = await startWorkspace({ signInsPerMinute: 3 });
    try {
      const browser = new Browser(strict.app);
      const form = await browser.get('/admin/sign-in');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await browser.post('/admin/sign-in', [['_csrf', csrfOf(form)], ['email', 'ada@example.org'], ['password', `guess ${i}`]])).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await strict.dispose();
    }
  });

  it('shows the workspace’s own errors in its layout, not the survey’s promise that answers are saved', async () => {
    const missing = await new Browser(ws.app).get('/admin/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.$('footer').text()).toContain('audit log');
    expect(missing.html).not.toContain('Your answers are saved as you go');
  });

  it('writes sign-ins, refusals and sign-outs to the audit log with the address they came from', async () => {
    const entries = await listAudit(ws.store.db, {}, { limit: 1000 });
    const actions = new Set(entries.map((e) => e.action));
    expect(actions).toEqual(new Set(['sign-in', 'sign-in-failed', 'sign-out']));
    const failed = entries.find((e) => e.action === 'sign-in-failed' && e.actor === 'nobody@example.org')!;
    expect(failed).toMatchObject({ actorAccountId: null, address: '127.0.0.1' });
  });
});
