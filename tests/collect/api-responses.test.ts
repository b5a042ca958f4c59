// A wave's responses, exports and invitations through the JSON API, as a client sees them: every
// JSON answer matches the schema the OpenAPI document gives for it, pages walk the whole wave once,
// the streams are the export's own files, and only the roles that may see responses get them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '../../src/export/bundle.ts';
import { Instrument } from '../../src/instrument/schema.ts';
import { commandLineActor } from '../../src/store/audit.ts';
import type { AuditAction } from '../../src/store/database.ts';
import { createApiToken } from '../../src/store/api-tokens.ts';
import { getInstrumentVersion } from '../../src/store/instrument-versions.ts';
import { hashToken } from '../../src/store/invitations.ts';
import { responsePages } from '../../src/store/response-pages.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components?: { schemas?: Record<string, object> };
}

const WAVE = '/api/v1/instruments/leadership-individual/waves/2010';

describe(`responses, exports and invitations in the JSON API, on ${backend}`, () => {
  let survey: SurveyApp;
  let document: OpenApiDocument;
  const tokens: Record<string, string> = {};
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validators = new Map<string, ValidateFunction>();
  let submittedIds: string[];
  let partialIds: string[];

  beforeAll(async () => {
    survey = await startSurveyApp();
    const at = survey.clock.now;
    const actor = commandLineActor('tester');
    for (const [name, role] of [['analyst', 'analyst'], ['viewer', 'viewer'], ['editor', 'editor']] as const) {
      tokens[name] = (await createApiToken(survey.store.db, actor, at, { name, role, instruments: [], expiresAt: null })).token;
    }
    const wave = survey.waveIds['leadership-individual']!;
    const version = survey.versionIds['leadership-individual']!;
    const row = (i: number, status: 'submitted' | 'in_progress') => ({
      wave_id: wave,
      instrument_version_id: version,
      status,
      // A text answer that a spreadsheet would run as a formula, unless the writer guards it.
      answers: JSON.stringify({ sector: ['public', 'private', 'voluntary'][i % 3], tier: 'front_line', service_area: 'other', service_area_other: i % 50 === 0 ? '=HYPERLINK("http://x")' : `service ${i}` }),
      started_at: new Date('2010-09-10T10:00:00Z'),
      submitted_at: status === 'submitted' ? new Date(Date.UTC(2010, 8, 10, 11) + i * 1000) : null,
    });
    await survey.store.db
      .insertInto('responses')
      .values([...Array.from({ length: 249 }, (_, i) => row(i, 'submitted')), { ...row(249, 'submitted'), source: 'paper-forms', source_sha256: 'cd'.repeat(32) }, ...Array.from({ length: 5 }, (_, i) => row(i, 'in_progress'))])
      .execute();
    const ids = async (status: 'submitted' | 'in_progress') => (await survey.store.db.selectFrom('responses').select('id').where('wave_id', '=', wave).where('status', '=', status).orderBy('id').execute()).map((r) => r.id);
    submittedIds = await ids('submitted');
    partialIds = await ids('in_progress');
    document = (await survey.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });
  afterAll(() => survey.dispose());

  /** The document's schema for an answer; `undefined` when the document does not describe it. */
  function described(method: string, url: string, status: number) {
    const path = Object.keys(document.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+').replaceAll('.', '\\.')}$`).test(url.split('?')[0]!));
    expect(path, `the document describes ${url}`).toBeDefined();
    const answer = document.paths[path!]![method.toLowerCase()]!.responses[String(status)];
    expect(answer, `the document describes ${method} ${url} answering ${status}`).toBeDefined();
    return { path: path!, content: answer!.content ?? {} };
  }

  function validator(key: string, schema: object): ValidateFunction {
    if (!validators.has(key)) validators.set(key, ajv.compile({ ...schema, $defs: undefined, components: document.components }));
    return validators.get(key)!;
  }

  /** Requests `url`, and checks the answer's type and (for JSON and NDJSON) each value against the document. */
  async function call(method: 'GET' | 'POST', url: string, token?: string, payload?: object): Promise<LightMyRequestResponse> {
    const response = await survey.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });
    const { path, content } = described(method, url, response.statusCode);
    const type = String(response.headers['content-type']);
    if (response.statusCode >= 400) {
      expect(type).toContain('application/problem+json');
      const validate = validator(`${method} ${path} ${response.statusCode}`, Object.values(content)[0]!.schema);
      expect(validate(response.json()), JSON.stringify(validate.errors)).toBe(true);
      return response;
    }
    const entry = Object.entries(content).find(([media]) => type.startsWith(media));
    expect(entry, `the document gives ${type} for ${method} ${path}`).toBeDefined();
    const validate = validator(`${method} ${path} ${response.statusCode} ${entry![0]}`, entry![1].schema);
    const values = entry![0] === 'application/x-ndjson' ? response.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown) : entry![0] === 'application/json' ? [response.json()] : [];
    for (const value of values) expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    return response;
  }

  /** Every page from the first, following `nextCursor`. */
  async function walk(query: string) {
    const pages: { responses: { id: string }[]; nextCursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const response = await call('GET', `${WAVE}/responses?${query}${cursor ? `&cursor=${cursor}` : ''}`, tokens.analyst);
      expect(response.statusCode).toBe(200);
      pages.push(response.json());
      cursor = pages[pages.length - 1]!.nextCursor;
    } while (cursor !== null);
    return pages;
  }

  const auditRows = (action: AuditAction) => survey.store.db.selectFrom('audit_log').select(['actor', 'summary', 'details']).where('action', '=', action).orderBy('id').execute();

  /** The coded CSV `tapestry export --format csv` writes of the wave, from the same store. */
  async function exportedCsv(includePartial: boolean): Promise<string> {
    const wave = survey.waveIds['leadership-individual']!;
    const instrument = Instrument.parse((await getInstrumentVersion(survey.store.db, survey.versionIds['leadership-individual']!))!.definition);
    const dir = await mkdtemp(join(tmpdir(), 'api-export-test-'));
    try {
      async function* pages() {
        for await (const page of responsePages(survey.store.db, wave, { includePartial })) {
          yield page.map((r) => ({ meta: { responseId: r.id, wave: '2010', instrumentVersion: r.instrumentVersion, submittedAt: r.submittedAt ?? '' }, answers: r.answers }));
        }
      }
      await writeExport({ instrument, wave: '2010', formats: ['csv'], dir }, pages());
      return await readFile(join(dir, 'leadership-individual-2010.csv'), 'utf8');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('walks a wave of 250 submitted responses in pages of 100, giving every id exactly once, in id order', async () => {
    const pages = await walk('limit=100');
    expect(pages.map((p) => p.responses.length)).toEqual([100, 100, 50]);
    expect(pages.flatMap((p) => p.responses.map((r) => r.id))).toEqual(submittedIds);
    const all = await walk('limit=1000&include=partial');
    expect(all.flatMap((p) => p.responses.map((r) => r.id))).toEqual([...submittedIds, ...partialIds].sort());
  });

  it('gives each response its status, submission time, answers as stored, and the source only of an imported one', async () => {
    const responses = (await walk('limit=1000&include=partial')).flatMap((p) => p.responses) as { id: string; status: string; submittedAt: string | null; answers: Record<string, string>; source?: object }[];
    const imported = responses.filter((r) => r.source !== undefined);
    expect(imported.map((r) => r.source)).toEqual([{ name: 'paper-forms', sha256: 'cd'.repeat(32) }]);
    expect(imported[0]!.answers.service_area_other).toBe('service 249');
    expect(responses.filter((r) => r.status === 'in_progress').map((r) => r.submittedAt)).toEqual([null, null, null, null, null]);
    expect(responses.find((r) => r.status === 'submitted' && r.answers.service_area_other === 'service 1')!.submittedAt).toBe('2010-09-10T11:00:01Z');
  });

  it('answers a cursor it did not give, or a limit out of range, with a 400 that names the parameter', async () => {
    for (const [query, parameter] of [
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('123').toString('base64url')}`, 'cursor'],
      ['cursor=%2B%2B', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=2.5', 'limit'],
      ['include=everything', 'include'],
    ]) {
      const response = await call('GET', `${WAVE}/responses?${query}`, tokens.analyst);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().errors.map((e: { location: string }) => e.location), query).toEqual([`querystring.${parameter}`]);
    }
  });

  it('streams the whole wave as NDJSON, the same responses as the pages, and audits it as an export', async () => {
    const before = (await auditRows('exported')).length;
    const response = await call('GET', `${WAVE}/responses.ndjson`, tokens.analyst);
    expect(response.statusCode).toBe(200);
    const lines = response.body.split('\n');
    expect(lines.pop()).toBe('');
    const paged = (await walk('limit=100')).flatMap((p) => p.responses);
    expect(lines.map((l) => JSON.parse(l))).toEqual(paged);
    const audit = (await auditRows('exported')).slice(before);
    expect(audit).toEqual([
      {
        actor: expect.stringMatching(/^API token \d+ \(analyst\)$/),
        summary: 'exported 250 submitted responses of wave 2010 of leadership-individual as ndjson through the API',
        details: expect.objectContaining({ format: 'ndjson', submitted: 250, partial: 0, complete: true, via: 'api' }),
      },
    ]);
  });

  it('streams the whole wave as the CSV that tapestry export writes, byte for byte, with formulas guarded', async () => {
    for (const [query, includePartial] of [['', false], ['?include=partial', true]] as const) {
      const response = await call('GET', `${WAVE}/responses.csv${query}`, tokens.analyst);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="leadership-individual-2010.csv"');
      expect(response.body).toBe(await exportedCsv(includePartial));
      expect(response.body.split('\n').length).toBe((includePartial ? 255 : 250) + 2);
      expect(response.body).toContain('HYPERLINK');
      expect(response.body).not.toMatch(/(^|,)"?[=+@-]HYPERLINK/m);
    }
  });

  it("gives the main file of each export format, the CSV the same as the stream's, and audits each", async () => {
    const before = (await auditRows('exported')).length;
    const csv = await call('GET', `${WAVE}/export/csv`, tokens.analyst);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toBe(await exportedCsv(false));
    const labelled = await call('GET', `${WAVE}/export/labelled-csv`, tokens.analyst);
    expect(labelled.headers['content-disposition']).toBe('attachment; filename="leadership-individual-2010-labelled.csv"');
    expect(labelled.body.split('\n')[0]).toBe(csv.body.split('\n')[0]);
    expect(labelled.body).toContain('Public sector');
    const xlsx = await call('GET', `${WAVE}/export/xlsx`, tokens.analyst);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
    for (const [format, name] of [['spss', 'leadership-individual-2010.sps'], ['stata', 'leadership-individual-2010.do'], ['r', 'leadership-individual-2010.R']]) {
      const syntax = await call('GET', `${WAVE}/export/${format}`, tokens.analyst);
      expect(syntax.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(syntax.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      // The syntax reads the coded CSV by the name `export/csv` gives it.
      expect(syntax.body).toContain('leadership-individual-2010.csv');
    }
    const descriptor = await call('GET', `${WAVE}/export/datapackage`, tokens.analyst);
    expect(descriptor.json().resources[0].path).toBe('leadership-individual-2010.csv');
    const audit = (await auditRows('exported')).slice(before);
    expect(audit.map((a) => (a.details as { format: string }).format)).toEqual(['csv', 'labelled-csv', 'xlsx', 'spss', 'stata', 'r', 'datapackage']);
    expect((audit[0]!.details as { files: string[] }).files).toContain('leadership-individual-2010.csv');
    expect((await call('GET', `${WAVE}/export/sas`, tokens.analyst)).statusCode).toBe(400);
    // Nothing is exported, nor audited, for a request that would not receive the data.
    for (const url of [`${WAVE}/export/csv`, `${WAVE}/responses.csv`, `${WAVE}/responses.ndjson`]) {
      const head = await survey.app.inject({ method: 'HEAD', url, headers: { authorization: `Bearer ${tokens.analyst}` } });
      expect(head.statusCode, url).toBe(404);
    }
    expect((await auditRows('exported')).length).toBe(before + audit.length);
  });

  it('refuses responses and exports to a viewer and an editor token, and invitations to an analyst token', async () => {
    for (const token of [tokens.viewer, tokens.editor]) {
      for (const url of [`${WAVE}/responses`, `${WAVE}/responses.ndjson`, `${WAVE}/responses.csv`, `${WAVE}/export/csv`]) {
        const response = await call('GET', url, token);
        expect(response.statusCode, url).toBe(403);
      }
    }
    expect((await call('POST', `${WAVE}/invitations`, tokens.analyst, { invitees: [{}] })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/instruments/leadership-individual/waves/1999/responses', tokens.analyst)).statusCode).toBe(404);
  });

  it('creates invitations for an editor token, with links that work, shown once, and audited without who', async () => {
    const response = await call('POST', `${WAVE}/invitations`, tokens.editor, { invitees: [{ sector: 'private', name: 'Ann' }, { sector: '' }] });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.invitations.map((i: { attributes: object }) => i.attributes)).toEqual([{ sector: 'private', name: 'Ann' }, {}]);
    expect(body.queued).toBe(0);
    for (const { link } of body.invitations as { link: string }[]) {
      expect(link).toMatch(/^http:\/\/localhost:80\/i\/[A-Za-z0-9_-]+$/);
      const opened = await survey.app.inject({ method: 'GET', url: new URL(link).pathname });
      expect(opened.statusCode, link).toBeLessThan(400);
    }
    // Only the tokens' hashes are kept: the links cannot be had again.
    const linkTokens = (body.invitations as { link: string }[]).map((i) => i.link.split('/i/')[1]!);
    const stored = (await survey.store.db.selectFrom('invitations').select('token_hash').execute()).map((s) => s.token_hash);
    expect(stored).toEqual(expect.arrayContaining(linkTokens.map(hashToken)));
    for (const token of linkTokens) expect(stored).not.toContain(token);
    const audit = await auditRows('invitations-created');
    expect(audit).toEqual([{ actor: expect.stringMatching(/^API token \d+ \(editor\)$/), summary: 'created 2 invitations to wave 2010 of leadership-individual', details: { count: 2, columns: ['sector', 'name'] } }]);
    expect(JSON.stringify(audit)).not.toContain('Ann');
  });

  it('answers invitees with problems with a 422 listing each by its index, and stores nothing', async () => {
    const count = async () => (await survey.store.db.selectFrom('invitations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    const audits = (await auditRows('invitations-created')).length;
    const before = await count();
    const response = await call('POST', `${WAVE}/invitations`, tokens.editor, { invitees: [{ email: 'a@example.org', sector: 'public' }, { email: 'not an address', sector: 'nonsense' }, { sector: 'private' }], send: true });
    expect(response.statusCode).toBe(422);
    const locations = response.json().errors.map((e: { location: string }) => e.location);
    expect(locations).toEqual(['body.invitees.1.sector', 'body.invitees.1.email', 'body.invitees.2.email']);
    expect(response.json().errors[0].message).toContain('nonsense');
    expect(await count()).toBe(before);
    expect((await auditRows('invitations-created')).length).toBe(audits);
    // Well-formed invitees, but the wave has no message to send them.
    const unsendable = await call('POST', `${WAVE}/invitations`, tokens.editor, { invitees: [{ email: 'a@example.org' }], send: true });
    expect(unsendable.statusCode).toBe(422);
    expect(unsendable.json().detail).toContain('has no message yet');
    expect(await count()).toBe(before);
    const malformed = await call('POST', `${WAVE}/invitations`, tokens.editor, { invitees: [{ sector: 3 }] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].location).toMatch(/^body\.invitees\.0/);
  });

  it('refuses invitations to a closed wave with 409, and a body past the limit with 413, storing nothing', async () => {
    const count = async () => Number((await survey.store.db.selectFrom('invitations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    await survey.store.db.updateTable('waves').set({ status: 'closed' }).where('id', '=', survey.waveIds['capabilities-self-assessment']!).execute();
    const closed = await call('POST', '/api/v1/instruments/capabilities-self-assessment/waves/2010/invitations', tokens.editor, { invitees: [{}] });
    expect(closed.statusCode).toBe(409);
    const large = await call('POST', `${WAVE}/invitations`, tokens.editor, { invitees: Array.from({ length: 900 }, (_, i) => ({ name: `invitee ${i} `.padEnd(100, '.') })) });
    expect(large.statusCode).toBe(413);
    expect(await count()).toBe(before);
  });
});
