// The service must outlive its database: a closed connection, a restart, a server that hangs, a
// lock held too long. These tests stop and freeze PostgreSQL, so they start a cluster of their own
// (never the shared server), whatever DATABASE_URL says.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/collect/server.ts';
import { hashResumeCode } from '../../src/collect/resume-code.ts';
import { openStore, type DatabaseTimeouts, type Store } from '../../src/store/open.ts';
import { isDatabaseUnavailable } from '../../src/store/unavailable.ts';
import { Browser, type Page } from '../support/browser.ts';
import { clusterUnavailable, startCluster, type Cluster } from '../support/postgres-cluster.ts';
import { prepareStore, ROOT } from '../support/survey-app.ts';

const name = clusterUnavailable ? `the service on a PostgreSQL cluster of its own (skipped: ${clusterUnavailable})` : 'the service when its PostgreSQL goes away';

/** Short limits, so that the tests wait seconds; the client gives up a second after the server's limit. */
const TIMEOUTS: DatabaseTimeouts = { connectMs: 1_000, statementMs: 1_500, idleInTransactionMs: 1_500 };
/** The longest any request may take: the longest wait the limits allow, and a second for a busy machine. */
const LONGEST_REQUEST_MS = TIMEOUTS.statementMs + 1_000 + TIMEOUTS.connectMs + 1_000;

function expectUnavailablePage(status: number, headers: Record<string, unknown> | Headers, html: string) {
  const header = (key: string) => (headers instanceof Headers ? headers.get(key) : headers[key]);
  expect(status).toBe(503);
  expect(String(header('content-type'))).toContain('text/html');
  expect(Number(header('retry-after'))).toBeGreaterThan(0);
  expect(html).toContain('Sorry, the service is unavailable');
  // Neither the message nor the layout around it may promise what the database did not confirm.
  expect(html).not.toMatch(/answers[^.]* (are|is) saved/i);
}

describe.skipIf(clusterUnavailable !== undefined)(name, () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.dispose());

  it('tapestry serve logs a connection PostgreSQL closes, answers 503 while it is down, and answers again within 5 s of its return', async () => {
    const child = spawn(process.execPath, ['bin/tapestry.js', 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: cluster.url,
        PORT: '0',
        LOG: '1',
        DB_CONNECT_TIMEOUT_MS: String(TIMEOUTS.connectMs),
        DB_STATEMENT_TIMEOUT_MS: String(TIMEOUTS.statementMs),
      },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const match = /serving surveys at (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`tapestry serve exited with ${code}: ${err}`)));
      });
      const home = () => fetch(`${address}/`, { signal: AbortSignal.timeout(LONGEST_REQUEST_MS) });
      expect((await Promise.all([home(), home(), home()])).map((r) => r.status)).toEqual([200, 200, 200]);

      const terminated = await cluster.terminateSessions();
      expect(terminated).toBeGreaterThan(0);
      // Each pooled connection learns of its end on its own; until the last has, a request may
      // still be handed a dead one (on a busy machine that takes a while), so wait for them all.
      const closed = () => out.split('PostgreSQL closed a pooled connection').length - 1;
      for (let waited = 0; closed() < terminated && waited < 5_000; waited += 50) await sleep(50);
      expect(closed()).toBe(terminated);
      expect(child.exitCode).toBeNull();
      expect((await home()).status).toBe(200);

      await cluster.stop();
      const started = performance.now();
      const down = await home();
      expectUnavailablePage(down.status, down.headers, await down.text());
      expect(performance.now() - started).toBeLessThan(LONGEST_REQUEST_MS);

      await cluster.start();
      const back = performance.now();
      let status = 0;
      while (status !== 200 && performance.now() - back < 10_000) {
        status = (await home()).status;
        if (status !== 200) await sleep(50);
      }
      expect(status).toBe(200);
      expect(performance.now() - back).toBeLessThan(5_000);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);

  describe('with its limits on waiting', () => {
    let store: Store;
    let app: FastifyInstance;
    const warnings: string[] = [];
    const base = '/s/capabilities-self-assessment/2010';

    beforeAll(async () => {
      await cluster.query('create schema survey');
      store = await openStore({ databaseUrl: cluster.url, schema: 'survey', timeouts: TIMEOUTS, logger: { warn: (_details, message) => void warnings.push(message) } });
      await prepareStore(store);
      app = await buildServer({ store, now: () => new Date('2010-09-15T10:00:00Z'), lookupsPerMinute: 1_000_000, startsPerMinute: 1_000_000 });
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await store?.close();
    });

    /** What respondents saw: 503s, the slowest answer, and when each successful answer came. */
    const seen = { unavailable: 0, slowestMs: 0, answeredAt: [] as number[] };

    /** One request, tried again after each 503 as a person would; anything but 503 or `expected` fails the test. */
    async function step(what: string, request: () => Promise<Page>, expected: number): Promise<Page> {
      for (;;) {
        const started = performance.now();
        const page = await request();
        seen.slowestMs = Math.max(seen.slowestMs, performance.now() - started);
        if (page.status === 503) {
          seen.unavailable++;
          expect(page.html).toContain('Sorry, the service is unavailable');
          await sleep(50);
          continue;
        }
        if (page.status !== expected) throw new Error(`${what} answered ${page.status}, not ${expected}: ${page.$('h1').text()}`);
        seen.answeredAt.push(performance.now());
        return page;
      }
    }

    const SECTORS = ['public', 'private', 'voluntary'];
    const TIERS = ['front_line', 'first_line', 'middle', 'senior'];

    /** A respondent from start to "Send my answers"; resolves to the resume code and answers once the service has said they were sent. */
    async function respond(i: number): Promise<{ code: string; sector: string; tier: string }> {
      const browser = new Browser(app);
      const sector = SECTORS[i % SECTORS.length]!;
      const tier = TIERS[i % TIERS.length]!;
      const start = await step('the start page', () => browser.get(base), 200);
      await step('starting', () => browser.post(`${base}/start`, Browser.formFields(start).fields), 303);
      const codePage = await step('the resume code', () => browser.get(`${base}/code`), 200);
      const code = codePage.$('.tapestry-code').text().trim();
      let page = await step('the first page', () => browser.get(`${base}/page/about-you`), 200);
      const first = Browser.formFields(page);
      let location = (await step('answering the first page', () => browser.post(first.action, [...first.fields, ['sector', sector], ['tier', tier], ['_action', 'continue']]), 303)).location!;
      while (!location.endsWith('/check')) {
        page = await step(location, () => browser.get(location), 200);
        const form = Browser.formFields(page);
        location = (await step(`sending ${location}`, () => browser.post(form.action, [...form.fields, ['_action', 'continue']]), 303)).location!;
      }
      page = await step('the check page', () => browser.get(location), 200);
      const submit = Browser.formFields(page, 'form[action$="/submit"]');
      const sent = await step('sending the answers', () => browser.post(submit.action, submit.fields), 303);
      expect(sent.location).toBe(`${base}/done`);
      return { code, sector, tier };
    }

    it('loses no submission it acknowledged when PostgreSQL restarts under load, and no request waits longer than its limits', async () => {
      const acknowledged: { code: string; sector: string; tier: string; at: number }[] = [];
      let running = true;
      const respondents = Array.from({ length: 8 }, async (_, i) => {
        for (let n = i; running; n += 8) acknowledged.push({ ...(await respond(n)), at: performance.now() });
      });
      const failed = Promise.all(respondents).then(
        () => undefined,
        (error: unknown) => error,
      );

      const until = async (enough: () => boolean) => {
        for (const started = performance.now(); !enough() && performance.now() - started < 30_000; ) await sleep(50);
      };
      // The restart comes with respondents at every step of the journey, some of them sending.
      await until(() => acknowledged.length >= 8);
      await cluster.stop();
      const downAt = performance.now();
      await sleep(1_000);
      await cluster.start();
      const backAt = performance.now();
      await until(() => acknowledged.filter((a) => a.at > backAt).length >= 8);
      running = false;
      expect(await failed).toBeUndefined();

      // The load went on both sides of the restart, and the restart was felt.
      expect(acknowledged.filter((a) => a.at < downAt).length).toBeGreaterThan(0);
      expect(acknowledged.filter((a) => a.at > backAt).length).toBeGreaterThan(0);
      expect(seen.unavailable).toBeGreaterThan(0);
      expect(seen.answeredAt.find((t) => t > backAt)! - backAt).toBeLessThan(5_000);
      expect(seen.slowestMs).toBeLessThan(LONGEST_REQUEST_MS);

      const rows = await store.db.selectFrom('responses').select(['resume_code_hash', 'status', 'answers']).execute();
      const byHash = new Map(rows.map((r) => [r.resume_code_hash, r]));
      const lost = acknowledged.filter(({ code, sector, tier }) => {
        const row = byHash.get(hashResumeCode(code));
        return row?.status !== 'submitted' || (row.answers as Record<string, unknown>).sector !== sector || (row.answers as Record<string, unknown>).tier !== tier;
      });
      expect(lost).toEqual([]);
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings.every((w) => w.startsWith('PostgreSQL closed a'))).toBe(true);
    }, 120_000);

    it('answers 503 within its limits while PostgreSQL is frozen, and answers again once it thaws', async () => {
      const home = async () => {
        const started = performance.now();
        const response = await app.inject({ method: 'GET', url: '/' });
        return { response, ms: performance.now() - started };
      };
      // Two idle pooled connections: a frozen server leaves them open and silent.
      expect((await Promise.all([home(), home()])).map((r) => r.response.statusCode)).toEqual([200, 200]);
      cluster.freeze();
      let during;
      try {
        // More requests than idle connections: some wait on a silent connection, some for a new one.
        during = await Promise.all(Array.from({ length: 4 }, home));
      } finally {
        cluster.thaw();
      }
      for (const { response, ms } of during) {
        expectUnavailablePage(response.statusCode, response.headers, response.body);
        expect(ms).toBeLessThan(LONGEST_REQUEST_MS);
      }
      const thawed = performance.now();
      let status = 0;
      while (status !== 200 && performance.now() - thawed < 10_000) status = (await home()).response.statusCode;
      expect(status).toBe(200);
      expect(performance.now() - thawed).toBeLessThan(5_000);
    }, 60_000);

    it('answers 503 at the statement limit when a statement waits on a lock another session holds', async () => {
      const browser = new Browser(app);
      const start = await browser.get(base);
      const holder = new pg.Client({ connectionString: cluster.url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('lock table survey.responses in access exclusive mode');
        const started = performance.now();
        const blocked = await browser.post(`${base}/start`, Browser.formFields(start).fields);
        const ms = performance.now() - started;
        expect(blocked.status).toBe(503);
        expect(blocked.html).toContain('Sorry, the service is unavailable');
        expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.statementMs - 100);
        expect(ms).toBeLessThan(LONGEST_REQUEST_MS);
      } finally {
        await holder.query('rollback');
        await holder.end();
      }
      expect((await browser.post(`${base}/start`, Browser.formFields(start).fields)).status).toBe(303);
    }, 60_000);

    it('ends a transaction left idle past its limit without ending the process, and the pool carries on', async () => {
      const error = await store.db
        .transaction()
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          await sleep(TIMEOUTS.idleInTransactionMs + 1_000);
          await sql`select 1`.execute(trx);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
    }, 60_000);
  });
});
