/**
 * Walks every route of the workspace — every page and every form action — as nobody, as each
 * role, and as each role limited to another instrument, and checks the answer against the rules.
 * The routes come from the running app, not from a list here, so a route added without a rule in
 * `routes/admin/rules.ts` fails the first test, and one whose rule is not enforced fails the walk.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows } from '../../src/collect/authorisation.ts';
import { app } from '../../src/collect/app.ts';
import { ADMIN_RULES, ruleFor } from '../../src/collect/routes/admin/rules.ts';
import { createAccount, type Account } from '../../src/store/accounts.ts';
import { ROLES, type Role } from '../../src/store/database.ts';
import { saveProgress, startResponse } from '../../src/store/responses.ts';
import { createSession } from '../../src/store/sessions.ts';
import { Browser } from '../support/browser.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';
import { prepareStore } from '../support/survey-app.ts';
import { csrfOf } from '../support/workspace.ts';

const INSTRUMENT = 'leadership-individual';
const OTHER = 'leadership-organisational';
/** A free-text answer no page may show to a role without `responses`. */
const SECRET_ANSWER = 'the-answer-only-analysts-may-read-4f1c';

interface Principal {
  name: string;
  account?: Account;
}

describe(`who may use each route of the workspace, on ${backend}`, () => {
  let store: TestStore;
  let fastify: FastifyInstance;
  const routes: { method: string; url: string }[] = [];
  const principals: Principal[] = [{ name: 'nobody' }];
  let victim: Account;
  let version: string;
  let csrf: { cookie: string; token: string };

  beforeAll(async () => {
    store = await openTestStore();
    const { versionIds, waveIds } = await prepareStore(store);
    version = (await store.db.selectFrom('instrument_versions').select('version').where('id', '=', versionIds[INSTRUMENT]!).executeTakeFirstOrThrow()).version;
    const response = (await startResponse(store.db, { waveId: waveIds[INSTRUMENT]!, instrumentVersionId: versionIds[INSTRUMENT]! }))!;
    await saveProgress(store.db, response.id, { answers: { sector: 'public', tier: 'frontline', qual_benefit_text: SECRET_ANSWER }, complete: false, currentPage: null }, new Date('2010-09-10T10:00:00Z'));
    const now = new Date('2010-09-15T10:00:00Z');
    fastify = Fastify();
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (route.url.startsWith('/admin') && method !== 'HEAD') routes.push({ method, url: route.url });
      }
    });
    await fastify.register(app, { store, secret: 'a secret for the authorisation walk, long enough', now: () => now, signInsPerMinute: 100_000 });
    await fastify.ready();
    for (const role of ROLES) {
      principals.push({ name: role, account: await createAccount(store.db, { email: `${role}@example.org`, role, now }) });
      if (role !== 'admin') principals.push({ name: `${role} of another instrument`, account: await createAccount(store.db, { email: `${role}.other@example.org`, role, instruments: [OTHER], now }) });
    }
    victim = await createAccount(store.db, { email: 'victim@example.org', role: 'viewer', instruments: [INSTRUMENT], now });
    const browser = new Browser(fastify);
    const signInPage = await browser.get('/admin/sign-in');
    csrf = { cookie: `_csrf=${browser.cookies.get('_csrf')}`, token: csrfOf(signInPage) };
  });
  afterAll(async () => {
    await fastify.close();
    await store.dispose();
  });

  it('has a rule for every route, and a route for every rule', () => {
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    expect(keys.filter((key) => ruleFor(key.split(' ')[0]!, key.split(' ')[1]) === undefined)).toEqual([]);
    expect(Object.keys(ADMIN_RULES).filter((key) => !keys.includes(key))).toEqual([]);
  });

  const address = (url: string) =>
    url
      .replace(':instrument', INSTRUMENT)
      .replace(':wave', '2010')
      .replace(':version', encodeURIComponent(version))
      .replace(':account', String(victim.id))
      .replace(':token', 'no-such-token');

  /** Counts of everything a form could change, to show a refused one changed nothing. */
  async function stateOf(): Promise<string> {
    const tables = ['accounts', 'account_instruments', 'audit_log', 'instrument_versions', 'waves', 'wave_targets', 'password_tokens', 'invitations', 'responses'];
    const counts = [];
    for (const table of tables) counts.push(`${table}=${(await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(store.db)).rows[0]!.n}`);
    const waves = await store.db.selectFrom('waves').select(['name', 'status']).orderBy('id').execute();
    return `${counts.join(' ')} ${JSON.stringify(waves)}`;
  }

  async function ask(principal: Principal, method: string, url: string, withCsrf = true) {
    const cookies = [csrf.cookie];
    if (principal.account) {
      const { token } = await createSession(store.db, { accountId: principal.account.id, now: new Date('2010-09-15T10:00:00Z'), address: null, userAgent: null });
      cookies.push(`tapestry_admin=${token}`);
    }
    return fastify.inject({
      method: method as 'GET' | 'POST',
      url,
      headers: { cookie: cookies.join('; '), ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(method === 'POST' ? { payload: withCsrf ? `_csrf=${encodeURIComponent(csrf.token)}` : '' } : {}),
    });
  }

  it('answers every route as the rules say, for nobody, every role, and every role of another instrument', async () => {
    const mismatches: string[] = [];
    // Sign-out ends the session it is sent with; each request has a session of its own, so order does not matter.
    for (const route of routes) {
      const rule = ruleFor(route.method, route.url)!;
      const url = address(route.url);
      for (const principal of principals) {
        const before = await stateOf();
        const response = await ask(principal, route.method, url);
        const status = response.statusCode;
        const location = String(response.headers.location);
        // Where nobody signed in is sent; signing out goes to the same page, saying so.
        const toSignIn = status === 303 && (location === '/admin/sign-in' || location.startsWith('/admin/sign-in?next='));
        let expected: 'sign-in' | 'forbidden' | 'allowed';
        if (rule === 'anyone') expected = 'allowed';
        else if (!principal.account) expected = 'sign-in';
        else if (rule === 'signed-in') expected = 'allowed';
        else expected = allows(principal.account, rule, route.url.includes(':instrument') ? INSTRUMENT : undefined) ? 'allowed' : 'forbidden';
        const got = toSignIn ? 'sign-in' : status === 403 ? 'forbidden' : status >= 500 ? `error ${status}` : 'allowed';
        // An account that may reach the accounts pages may still not manage this one account.
        const managesVictim = principal.account && (principal.account.role === 'admin' || (principal.account.role === 'owner' && principal.account.instruments.length === 0));
        const refusedByHandler = got === 'forbidden' && expected === 'allowed' && route.url.includes(':account') && !managesVictim;
        if (got !== expected && !refusedByHandler) mismatches.push(`${route.method} ${route.url} as ${principal.name}: expected ${expected}, got ${got} (${status})`);
        if (got === 'forbidden' || got === 'sign-in') {
          const after = await stateOf();
          if (after !== before) mismatches.push(`${route.method} ${route.url} as ${principal.name}: refused, but changed ${before} → ${after}`);
        }
        if (route.method === 'GET' && principal.account && !allows(principal.account, 'responses') && response.body.includes(SECRET_ANSWER)) {
          mismatches.push(`GET ${route.url} as ${principal.name}: showed an individual answer`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);

  it('refuses every form action sent without its CSRF token, and changes nothing', async () => {
    const admin = principals.find((p) => p.name === 'admin')!;
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.method === 'POST')) {
      const before = await stateOf();
      const response = await ask(admin, 'POST', address(route.url), false);
      if (response.statusCode !== 403) failures.push(`${route.url}: ${response.statusCode}`);
      if ((await stateOf()) !== before) failures.push(`${route.url}: changed the database`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
