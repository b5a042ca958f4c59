// The JSON API as a client sees it: the OpenAPI document is valid, every answer in these tests
// matches the schema the document gives for it, and tokens are checked on every route.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLineActor } from '../../src/store/audit.ts';
import { createApiToken, revokeApiToken } from '../../src/store/api-tokens.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components?: { schemas?: Record<string, object> };
}

describe(`the JSON API, on ${backend}`, () => {
  let survey: SurveyApp;
  let document: OpenApiDocument;
  const tokens: Record<string, string> = {};
  const actor = commandLineActor('tester');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    survey = await startSurveyApp();
    const at = survey.clock.now;
    const make = async (name: string, role: 'admin' | 'editor' | 'viewer', instruments: string[] = [], expiresAt: Date | null = null) =>
      (tokens[name] = (await createApiToken(survey.store.db, actor, at, { name, role, instruments, expiresAt })).token);
    await make('admin', 'admin');
    await make('viewer-individual', 'viewer', ['leadership-individual']);
    await make('editor', 'editor');
    await make('soon-expired', 'viewer', [], new Date(at.getTime() + 60_000));
    const revoked = await createApiToken(survey.store.db, actor, at, { name: 'revoked', role: 'admin', instruments: [], expiresAt: null });
    tokens.revoked = revoked.token;
    await revokeApiToken(survey.store.db, actor, at, revoked.row.id);
    const response = await survey.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(() => survey.dispose());

  /** Requests `url` and checks the answer against the document's schema for that path, method and status. */
  async function call(method: 'GET' | 'POST', url: string, token?: string): Promise<LightMyRequestResponse> {
    const response = await survey.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const path = Object.keys(document.paths).find((p) => new RegExp(`^/api${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.split('?')[0]!) || new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.split('?')[0]!));
    expect(path, `the document describes ${url}`).toBeDefined();
    const described = document.paths[path!]![method.toLowerCase()]!.responses[String(response.statusCode)];
    expect(described, `the document describes ${method} ${url} answering ${response.statusCode}`).toBeDefined();
    const [type, content] = Object.entries(described!.content ?? {})[0]!;
    expect(response.headers['content-type']).toContain(response.statusCode >= 400 ? 'application/problem+json' : type);
    const key = `${method} ${path} ${response.statusCode}`;
    if (!validators.has(key)) validators.set(key, ajv.compile({ ...content.schema, $defs: undefined, components: document.components }));
    const validate = validators.get(key)!;
    expect(validate(response.json()), JSON.stringify(validate.errors)).toBe(true);
    return response;
  }

  it('publishes an OpenAPI 3.1 document that a validator accepts, with docs for people beside it', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((document as unknown as { openapi: string }).openapi).toBe('3.1.0');
    // Without the trailing slash too: the page's scripts must be addressed under /api, where they are.
    const docs = await survey.app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.statusCode).toBe(200);
    const scripts = [...docs.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const script = await survey.app.inject({ method: 'GET', url: new URL(src, 'http://service/api/docs').pathname });
      expect(script.statusCode, src).toBe(200);
      expect(script.headers['content-type']).toContain('javascript');
    }
  });

  it('lists every instrument to an admin token, and only its own to a limited one', async () => {
    const all = await call('GET', '/api/v1/instruments', tokens.admin);
    expect(all.statusCode).toBe(200);
    expect(all.json().instruments.map((i: { id: string }) => i.id)).toEqual(['capabilities-self-assessment', 'leadership-individual', 'leadership-organisational']);
    const own = await call('GET', '/api/v1/instruments', tokens['viewer-individual']);
    expect(own.json().instruments.map((i: { id: string }) => i.id)).toEqual(['leadership-individual']);
    const one = await call('GET', '/api/v1/instruments/leadership-individual', tokens['viewer-individual']);
    expect(one.json()).toMatchObject({ id: 'leadership-individual', versions: [{ version: '1.0' }], waves: [{ name: '2010', state: 'open', access: 'open', opensAt: '2010-09-01T00:00:00Z', closesAt: null }] });
  });

  it('refuses a request without a token with 401, and an unknown token with 401', async () => {
    const none = await call('GET', '/api/v1/instruments');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toMatchObject({ status: 401, title: 'A token is needed', instance: '/api/v1/instruments' });
    expect((await call('GET', '/api/v1/instruments', 'tap_notarealtokenatall')).statusCode).toBe(401);
  });

  it('asks for a token on every route the document lists, and refuses a token of another instrument on each', async () => {
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase() as 'GET' | 'POST', path })));
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const { method, path } of routes) {
      const url = (path.startsWith('/api/') ? path : `/api${path}`).replace('{instrument}', 'leadership-organisational').replace('{wave}', '2010');
      expect((await call(method, url)).statusCode, `${method} ${url} without a token`).toBe(401);
      if (path.includes('{instrument}')) expect((await call(method, url, tokens['viewer-individual'])).statusCode, `${method} ${url} as another instrument's viewer`).toBe(403);
    }
  });

  it('refuses a revoked token, an expired one and one outside its instruments or role with 403', async () => {
    const revoked = await call('GET', '/api/v1/instruments', tokens.revoked);
    expect(revoked.statusCode).toBe(403);
    expect(revoked.json().title).toBe('This token has been revoked');
    survey.clock.now = new Date(survey.clock.now.getTime() + 120_000);
    try {
      expect((await call('GET', '/api/v1/instruments', tokens['soon-expired'])).json().title).toBe('This token has expired');
    } finally {
      survey.clock.now = new Date(survey.clock.now.getTime() - 120_000);
    }
    expect((await call('GET', '/api/v1/instruments/leadership-organisational', tokens['viewer-individual'])).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/instruments/leadership-individual/waves/2010/close', tokens['viewer-individual'])).statusCode).toBe(403);
  });

  it('gives monitoring figures counted from the responses', async () => {
    const version = survey.versionIds['leadership-individual']!;
    const wave = survey.waveIds['leadership-individual']!;
    const row = (status: 'submitted' | 'in_progress', minutes: number) => ({
      wave_id: wave,
      instrument_version_id: version,
      invitation_id: null,
      resume_code_hash: null,
      status,
      current_page: null,
      started_at: new Date('2010-09-10T10:00:00Z'),
      submitted_at: status === 'submitted' ? new Date(Date.parse('2010-09-10T10:00:00Z') + minutes * 60_000) : null,
    });
    await survey.store.db.insertInto('responses').values([row('submitted', 10), row('submitted', 20), row('submitted', 40), row('in_progress', 0)]).execute();
    const figures = await call('GET', '/api/v1/instruments/leadership-individual/waves/2010/figures', tokens['viewer-individual']);
    expect(figures.json()).toEqual({ instrument: 'leadership-individual', wave: '2010', started: 4, submitted: 3, medianMinutes: 20 });
  });

  it('says what is wrong with a bad address as a problem, and 404 for a wave or path that is not there', async () => {
    const bad = await call('GET', '/api/v1/instruments/NOT%20AN%20ID', tokens.admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].location).toMatch(/^params/);
    expect((await call('GET', '/api/v1/instruments/leadership-individual/waves/1999', tokens.admin)).statusCode).toBe(404);
    const nowhere = await survey.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.headers['content-type']).toContain('application/problem+json');
  });

  it('closes a wave for an editor token, with its audit row, and says 409 when it is closed already', async () => {
    const closed = await call('POST', '/api/v1/instruments/capabilities-self-assessment/waves/2010/close', tokens.editor);
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ name: '2010', state: 'closed' });
    const audit = await survey.store.db.selectFrom('audit_log').select(['actor', 'action', 'instrument_id']).where('action', '=', 'wave-closed').execute();
    expect(audit).toEqual([{ actor: expect.stringMatching(/^API token \d+ \(editor\)$/), action: 'wave-closed', instrument_id: 'capabilities-self-assessment' }]);
    expect((await call('POST', '/api/v1/instruments/capabilities-self-assessment/waves/2010/close', tokens.editor)).statusCode).toBe(409);
  });
});
