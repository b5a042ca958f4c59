// What an area of routes added beside the respondent's gets from the app: the store, the clock,
// the settings and the shared pages as decorations, and the error pages, while the respondent
// area's own hooks stay inside it.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/collect/server.ts';
import { HttpError } from '../../src/collect/http-error.ts';
import { listWaves } from '../../src/store/waves.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';
import { prepareStore } from '../support/survey-app.ts';

describe(`a route area added to the survey service, on ${backend}`, () => {
  let store: TestStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    store = await openTestStore();
    await prepareStore(store);
    app = await buildServer({ store, now: () => new Date('2010-09-15T10:00:00Z'), serviceName: 'Study office' });
    await app.register(
      async function area(fastify) {
        fastify.get('/', async (_request, reply) => {
          const waves = await listWaves(fastify.store.db);
          return reply.render('error.njk', { title: 'Waves', message: `${waves.length} waves at ${fastify.now().toISOString()} in ${fastify.settings.serviceName}` });
        });
        fastify.get<{ Params: { name: string } }>('/named/:name', async (request) => ({ name: request.params.name }));
        fastify.get('/refused', async () => {
          throw new HttpError(403, 'Not for you', 'This page is for the research team.');
        });
        fastify.post('/form', { preHandler: fastify.csrfProtection }, async () => 'sent');
      },
      { prefix: '/area' },
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.dispose();
  });

  it('reads the store, the clock and the settings, and renders in the shared layout with the service headers', async () => {
    const response = await app.inject('/area');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('3 waves at 2010-09-15T10:00:00.000Z in Study office');
    expect(response.body).toContain('<title>Waves – Study office</title>');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('gets the error page for an HttpError and the not-found page for an address it does not have', async () => {
    const refused = await app.inject('/area/refused');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This page is for the research team.');
    const missing = await app.inject('/area/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('There is nothing at this address.');
  });

  it('refuses a form without a CSRF token, as the respondent area does', async () => {
    const response = await app.inject({ method: 'POST', url: '/area/form', payload: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
  });

  it('is not held to the respondent area’s check of address parts', async () => {
    expect((await app.inject('/area/named/not%20a%20slug')).json()).toEqual({ name: 'not a slug' });
    const respondent = await app.inject('/s/not%20a%20slug/2010');
    expect(respondent.statusCode).toBe(404);
    expect(respondent.body).toContain('<h1 class="govuk-heading-l">Page not found</h1>');
  });
});
