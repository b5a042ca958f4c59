// Behind a reverse proxy: which X-Forwarded-* headers are believed, what that means for the
// per-client look-up limit, and when cookies are marked Secure.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, trustProxySetting, type ServerOptions } from '../../src/collect/server.ts';
import { run } from '../../src/cli/main.ts';
import { captureIo } from '../support/io.ts';
import { backend, openTestStore, type TestStore } from '../support/store.ts';
import { prepareStore } from '../support/survey-app.ts';

const base = '/s/capabilities-self-assessment/2010';
const now = () => new Date('2010-09-15T10:00:00Z');

function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

describe(`the service behind a proxy, on ${backend}`, () => {
  let store: TestStore;
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    store = await openTestStore();
    await prepareStore(store);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await store.dispose();
  });

  async function server(options: Omit<ServerOptions, 'store'>): Promise<FastifyInstance> {
    const app = await buildServer({ store, now, ...options });
    apps.push(app);
    return app;
  }

  /** The cookies a respondent is given on the start page and on starting, sent with these headers. */
  async function cookiesOfAStart(app: FastifyInstance, headers: Record<string, string>): Promise<string[]> {
    const page = await app.inject({ method: 'GET', url: base, headers });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = setCookies(page).map((c) => c.split(';')[0]).join('; ');
    const started = await app.inject({
      method: 'POST',
      url: `${base}/start`,
      headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(started.statusCode).toBe(303);
    const cookies = [...setCookies(page), ...setCookies(started)];
    expect(cookies.map((c) => c.split('=')[0]).sort()).toEqual(['_csrf', 'tapestry_response']);
    return cookies;
  }

  const secure = (cookie: string) => /;\s*Secure(;|$)/i.test(cookie);

  it('marks every cookie Secure when told to, over plain HTTP too', async () => {
    const app = await server({ secureCookies: true });
    expect((await cookiesOfAStart(app, {})).filter((c) => !secure(c))).toEqual([]);
  });

  it('marks cookies Secure by itself when a trusted proxy says the request came over HTTPS, and only then', async () => {
    const proxied = await server({ trustProxy: trustProxySetting('1') });
    expect((await cookiesOfAStart(proxied, { 'x-forwarded-proto': 'https' })).filter((c) => !secure(c))).toEqual([]);
    expect((await cookiesOfAStart(proxied, { 'x-forwarded-proto': 'http' })).filter(secure)).toEqual([]);
    // A client talking to the service directly cannot claim HTTPS for itself.
    const direct = await server({});
    expect((await cookiesOfAStart(direct, { 'x-forwarded-proto': 'https' })).filter(secure)).toEqual([]);
  });

  for (const setting of ['1', '127.0.0.1']) {
    it(`with TRUST_PROXY=${setting}, limits look-ups per client as the proxy saw it, whatever the client wrote in X-Forwarded-For`, async () => {
      const app = await server({ trustProxy: trustProxySetting(setting), lookupsPerMinute: 5 });
      const lookUp = (forwardedFor: string) =>
        app.inject({ method: 'GET', url: `/i/${'x'.repeat(24)}`, headers: { 'x-forwarded-for': forwardedFor } }).then((r) => r.statusCode);
      const statuses: number[] = [];
      // The proxy appends the address it saw; whatever comes before it is the client's to write.
      for (let i = 0; i < 8; i++) statuses.push(await lookUp(`10.9.${i}.${i}, 203.0.113.7`));
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
      // Another client behind the same proxy has its own allowance.
      expect(await lookUp('198.51.100.9')).toBe(404);
    });
  }
});

describe('TRUST_PROXY', () => {
  it('takes a number of proxies or a list of their addresses and ranges, and nothing means none', () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting('')).toBe(false);
    expect(trustProxySetting('0')).toBe(false);
    const twoHops = trustProxySetting('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => twoHops('192.0.2.1', hop))).toEqual([true, true, false]);
    expect(trustProxySetting(' 10.0.0.5, 192.168.0.0/16,::1, loopback ')).toEqual(['10.0.0.5', '192.168.0.0/16', '::1', 'loopback']);
  });

  it('refuses a value that is neither, naming the variable and the entry at fault', () => {
    expect(() => trustProxySetting('true')).toThrow(/^TRUST_PROXY must be a number of proxies .* not "true": "true" is not an address or a CIDR range$/);
    expect(() => trustProxySetting('10.0.0.5,10.0.0.0/33')).toThrow(/"10\.0\.0\.0\/33" is not an address or a CIDR range/);
  });

  it('stops tapestry serve before it starts when it cannot be read', async () => {
    const io = captureIo({ env: { TRUST_PROXY: 'yes' } });
    expect(await run(['serve'], io)).toBe(1);
    expect(io.stderr()).toMatch(/^tapestry: TRUST_PROXY must be a number of proxies/);
  });
});
