import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/collect/server.ts';
import { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(Number(port || 6379), hostname);
  });
}

const haveRedis = await reachable(REDIS_URL);
if (!haveRedis) console.warn(`skipping the shared rate-limit tests: no Redis answers at ${REDIS_URL} (set TEST_REDIS_URL)`);

describe.skipIf(!haveRedis)(`rate limits shared by several instances through Redis, on ${backend}`, () => {
  let survey: SurveyApp;
  const apps: FastifyInstance[] = [];
  const base = '/s/leadership-organisational/2010';

  const instance = async (redisUrl: string, prefix: string) => {
    const app = await buildServer({ store: survey.store, now: () => new Date(survey.clock.now), startsPerMinute: 3, redisUrl, rateLimitPrefix: prefix });
    apps.push(app);
    return app;
  };
  const start = async (app: FastifyInstance) => {
    const browser = new Browser(app);
    const page = await browser.get(base);
    return (await browser.post(`${base}/start`, Browser.formFields(page).fields)).status;
  };

  beforeAll(async () => {
    survey = await startSurveyApp();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await survey.dispose();
  });

  it('counts a client’s starts across every instance, so that the limit holds behind a load balancer', async () => {
    const prefix = `tapestry-test-${randomBytes(6).toString('hex')}-`;
    const [one, two] = [await instance(REDIS_URL, prefix), await instance(REDIS_URL, prefix)];
    const statuses = [];
    for (const app of [one, two, one, two, one]) statuses.push(await start(app));
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
  });

  it('keeps serving, without the limit, while Redis cannot be reached', async () => {
    const app = await instance('redis://127.0.0.1:1', 'tapestry-test-down-');
    const began = Date.now();
    expect(await start(app)).toBe(303);
    expect(Date.now() - began).toBeLessThan(5000);
  });
});
