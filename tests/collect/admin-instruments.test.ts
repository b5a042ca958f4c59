import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInstrumentText } from '../../src/instrument/check.ts';
import { contentHash } from '../../src/instrument/load.ts';
import { listAudit } from '../../src/store/audit.ts';
import { publishInstrument } from '../../src/store/instrument-versions.ts';
import { openWave } from '../../src/store/waves.ts';
import { Browser, type Page } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, startWorkspace, type Workspace } from '../support/workspace.ts';

/** A small instrument with one question of most types, and a show_if. */
const PULSE_1 = `id: staff-pulse
version: "1"
title: Staff pulse
kind: individual
intro: A short survey of how staff are doing.
source: Written for the tests of the workspace.
pages:
  - id: role
    title: Your role
    questions:
      - id: tier
        type: single
        text: Which best describes your job?
        required: true
        options:
          front_line: Front-line worker
          manager: Manager
      - id: team_size
        type: number
        text: How many people are in your team?
        integer: true
        min: 1
  - id: views
    title: Your views
    questions:
      - id: support
        type: scale
        text: How well supported do you feel?
        options:
          "1": Not at all
          "2": A little
          "3": Very
      - id: training
        type: multiple
        text: Which training have you had?
        options:
          induction: Induction
          coaching: Coaching
          none: { label: None of these, exclusive: true }
      - id: coaching_detail
        type: longtext
        text: Tell us about the coaching.
        show_if: "training includes 'coaching'"
      - id: comments
        type: text
        text: Anything else?
`;

/**
 * Version 2: `tier` gains an option and relabels one, `team_size` changes type, `support` is
 * reworded, `training` moves to the first page, `coaching_detail` gets a hint, `comments` goes
 * and `wellbeing` arrives.
 */
const PULSE_2 = `id: staff-pulse
version: "2"
title: Staff pulse
kind: individual
intro: A short survey of how staff are doing.
source: Written for the tests of the workspace.
pages:
  - id: role
    title: Your role
    questions:
      - id: tier
        type: single
        text: Which best describes your job?
        required: true
        options:
          front_line: Front-line worker
          manager: Manager or supervisor
          director: Director
      - id: team_size
        type: single
        text: How many people are in your team?
        options:
          small: Fewer than 10
          large: 10 or more
      - id: training
        type: multiple
        text: Which training have you had?
        options:
          induction: Induction
          coaching: Coaching
          none: { label: None of these, exclusive: true }
  - id: views
    title: Your views
    questions:
      - id: support
        type: scale
        text: How well supported do you feel at work?
        options:
          "1": Not at all
          "2": A little
          "3": Very
      - id: coaching_detail
        type: longtext
        text: Tell us about the coaching.
        hint: What it was and who gave it.
        show_if: "training includes 'coaching'"
      - id: wellbeing
        type: scale
        text: How is your wellbeing?
        options:
          "1": Poor
          "2": Fair
          "3": Good
`;

const versionOf = (text: string, version: string) => text.replace(/^version: "[^"]*"$/m, `version: "${version}"`);
const lineOf = (text: string, fragment: string) => text.split('\n').findIndex((line) => line.includes(fragment)) + 1;

type Part = string | { filename: string; text: string | Buffer };

/**
 * A multipart body as a browser sends a form with a file input: a file input left empty is a part
 * with `filename=""`, and the lines of text fields are sent with CRLF. (FormData cannot write the
 * first, so the body is put together here.)
 */
function multipart(fields: [string, Part][]): { body: Buffer; type: string } {
  const boundary = '----tapestry-test-7f3a9c';
  const parts = fields.map(([name, value]) => {
    if (typeof value === 'string') {
      return Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value.replace(/\r?\n/g, '\r\n')}\r\n`);
    }
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), Buffer.from(value.text), Buffer.from('\r\n')]);
  });
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

async function postMultipart(browser: Browser, url: string, fields: [string, Part][]): Promise<Page> {
  const { body, type } = multipart(fields);
  return browser.postRaw(url, body, type);
}

/** Sends the check page's publish form as the browser would. */
function submitPublishForm(browser: Browser, page: Page): Promise<Page> {
  const { action, fields } = Browser.formFields(page, 'main form[action="/admin/publish"]');
  return postMultipart(browser, action, fields);
}

describe(`the workspace's instrument pages and publishing on ${backend}`, () => {
  let ws: Workspace;
  let editor: Browser;

  const count = async (table: 'responses' | 'instrument_versions' | 'audit_log') =>
    Number((await ws.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
  const versionsOf = async (id: string) =>
    (await ws.store.db.selectFrom('instrument_versions').select('version').where('instrument_id', '=', id).orderBy('id').execute()).map((r) => r.version);

  beforeAll(async () => {
    ws = await startWorkspace();
    const ids: number[] = [];
    for (const text of [PULSE_1, PULSE_2]) {
      const { instrument } = checkInstrumentText(text, 'staff-pulse.yaml');
      ids.push((await publishInstrument(ws.store.db, { instrument: instrument!, sourceText: text, contentHash: contentHash(instrument!) })).row.id);
    }
    await openWave(ws.store.db, {
      instrumentId: 'staff-pulse',
      instrumentVersionId: ids[0]!,
      name: 'spring',
      opensAt: new Date('2010-09-01T00:00:00Z'),
      closesAt: new Date('2010-12-01T00:00:00Z'),
      access: 'invitation',
    });
    await openWave(ws.store.db, { instrumentId: 'staff-pulse', instrumentVersionId: ids[1]!, name: 'autumn', opensAt: new Date('2011-01-01T09:30:00Z') });
    await ws.addAccount('eve@example.org', 'editor');
    await ws.addAccount('vic@example.org', 'viewer');
    await ws.addAccount('lee@example.org', 'editor', ['leadership-individual']);
    editor = await ws.signIn('eve@example.org');
  });
  afterAll(() => ws.dispose());

  it('lists every version, newest first, with its preview and its comparison with the one before', async () => {
    const page = await editor.get('/admin/instruments/staff-pulse');
    expect(page.status).toBe(200);
    expect(page.$('h1').text().trim()).toBe('Staff pulse');
    const table = page.$('table').first();
    expect(table.find('caption').text()).toContain('Published versions');
    const rows = table.find('tbody tr').toArray().map((row) => page.$(row));
    expect(rows.map((row) => row.find('th').text().trim())).toEqual(['2', '1']);
    expect(rows[0]!.find('td').eq(0).text()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(rows[0]!.find('code').text()).toMatch(/^[0-9a-f]{12}$/);
    expect(rows[0]!.find('a').map((_, a) => page.$(a).attr('href')).get()).toEqual([
      '/admin/instruments/staff-pulse/versions/2',
      '/admin/instruments/staff-pulse/diff?from=1&to=2',
    ]);
    expect(rows[1]!.text()).toContain('First version');
  });

  it('lists the waves with their version, state, access and period, and offers a new wave only to those who may open one', async () => {
    const page = await editor.get('/admin/instruments/staff-pulse');
    const waves = page.$('table').eq(1).find('tbody tr').toArray().map((row) => page.$(row).find('th, td').map((_, cell) => page.$(cell).text().trim()).get());
    expect(waves).toEqual([
      ['spring', '1', 'open', 'by invitation only', 'from 2010-09-01 00:00 UTC to 2010-12-01 00:00 UTC'],
      ['autumn', '2', 'scheduled', 'open to anyone with the link', 'from 2011-01-01 09:30 UTC, no end set'],
    ]);
    expect(page.$('a[href="/admin/instruments/staff-pulse/waves/spring"]').length).toBe(1);
    expect(page.$('a[href="/admin/instruments/staff-pulse/waves/new"]').text()).toBe('Open a new wave');

    const viewer = await ws.signIn('vic@example.org');
    const seen = await viewer.get('/admin/instruments/staff-pulse');
    expect(seen.status).toBe(200);
    expect(seen.$('a[href="/admin/instruments/staff-pulse/waves/new"]').length).toBe(0);
    expect(seen.$('a[href="/admin/publish"]').length).toBe(0);
  });

  it('answers 404 for an instrument never published, and 403 for one a limited account does not work on', async () => {
    const missing = await editor.get('/admin/instruments/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.$('h1').text()).toBe('Instrument not found');
    const limited = await ws.signIn('lee@example.org');
    expect((await limited.get('/admin/instruments/staff-pulse')).status).toBe(403);
    expect((await limited.get('/admin/instruments/staff-pulse/versions/1')).status).toBe(403);
    expect((await limited.get('/admin/instruments/leadership-individual')).status).toBe(200);
  });

  it('previews every page of a version with the respondents’ components, notes skip logic, and stores nothing', async () => {
    const before = { responses: await count('responses'), audit: await count('audit_log') };
    const page = await editor.get('/admin/instruments/staff-pulse/versions/1');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Preview of version 1');
    expect(page.$('.govuk-warning-text').text()).toContain('Nothing chosen or typed here is sent or kept');
    const sections = page.$('section.tapestry-preview-page');
    expect(sections.find('h2').map((_, h) => page.$(h).text()).get()).toEqual(['Introduction', 'Your role', 'Your views']);
    // Every question, as the GOV.UK component a respondent gets.
    expect(page.$('.govuk-radios input[name="preview-tier"]').length).toBe(2);
    expect(page.$('input.govuk-input[name="preview-team_size"][inputmode="numeric"]').length).toBe(1);
    expect(page.$('.govuk-radios input[name="preview-support"]').map((_, i) => page.$(i).attr('value')).get()).toEqual(['1', '2', '3']);
    expect(page.$('.govuk-checkboxes input[name="preview-training"]').length).toBe(3);
    expect(page.$('.govuk-checkboxes__divider').text().trim()).toBe('or');
    expect(page.$('textarea[name="preview-coaching_detail"]').length).toBe(1);
    expect(page.$('input.govuk-input[name="preview-comments"]').length).toBe(1);
    expect(page.$('label[for="preview-comments"]').text().trim()).toBe('Anything else? (optional)');
    // Read-only: the only form is the header's sign-out.
    expect(page.$('main form').length).toBe(0);
    const note = page.$('.tapestry-show-if');
    expect(note.length).toBe(1);
    expect(note.text()).toContain("training includes 'coaching'");
    expect(note.next().find('textarea').attr('name')).toBe('preview-coaching_detail');
    expect(await count('responses')).toBe(before.responses);
    expect(await count('audit_log')).toBe(before.audit);
  });

  it('previews a bundled instrument’s every question', async () => {
    const page = await editor.get('/admin/instruments/leadership-individual/versions/1.0');
    expect(page.status).toBe(200);
    const definition = (await ws.store.db.selectFrom('instrument_versions').select('definition').where('instrument_id', '=', 'leadership-individual').executeTakeFirstOrThrow()).definition as {
      pages: { title: string; questions: { id: string }[] }[];
    };
    expect(page.$('section.tapestry-preview-page h2').slice(1).map((_, h) => page.$(h).text()).get()).toEqual(definition.pages.map((p) => p.title));
    for (const q of definition.pages.flatMap((p) => p.questions)) {
      expect(page.$(`[name="preview-${q.id}"], [name^="preview-${q.id}."]`).length, q.id).toBeGreaterThan(0);
    }
  });

  it('answers 404 for a version that was never published', async () => {
    const page = await editor.get('/admin/instruments/staff-pulse/versions/7');
    expect(page.status).toBe(404);
    expect(page.$('main').text()).toContain('staff-pulse has no published version 7. Its versions are 1, 2.');
  });

  it('compares the two latest versions by default, with each kind of change and whether each question stays comparable', async () => {
    const page = await editor.get('/admin/instruments/staff-pulse/diff');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Changes from version 1 to 2');
    expect(page.$('caption').text()).toBe('What changed from version 1 to version 2');
    expect(page.$('select#from option[selected]').attr('value')).toBe('1');
    expect(page.$('select#to option[selected]').attr('value')).toBe('2');
    const rows = Object.fromEntries(
      page.$('tbody tr').toArray().map((row) => {
        const cells = page.$(row);
        return [cells.find('th code').text(), { trend: cells.find('.govuk-tag').text().trim(), changes: cells.find('li').map((_, li) => page.$(li).text()).get() }];
      }),
    );
    expect(rows.tier).toEqual({
      trend: 'not comparable',
      changes: ['option `manager` relabelled: "Manager" → "Manager or supervisor"', 'option `director` added'],
    });
    expect(rows.team_size).toEqual({ trend: 'not comparable', changes: ['type number → single'] });
    expect(rows.support!.changes).toContain('reworded: "How well supported do you feel?" → "How well supported do you feel at work?"');
    expect(rows.training).toEqual({ trend: 'comparable', changes: ['moved from views #4 to role #3'] });
    expect(rows.coaching_detail).toEqual({ trend: 'comparable', changes: ['hint changed'] });
    expect(rows.comments).toEqual({ trend: 'not comparable', changes: ['removed (was on page views)'] });
    expect(rows.wellbeing).toEqual({ trend: 'not comparable', changes: ['new, on page views'] });
    expect(page.$('main').text()).toContain('7 questions changed, 0 unchanged; 2 questions of 7 can be compared');
  });

  it('compares the versions chosen, in either order', async () => {
    const page = await editor.get('/admin/instruments/staff-pulse/diff?from=2&to=1');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Changes from version 2 to 1');
  });

  it('names the field when a comparison asks for a version that does not exist, the same version twice, or several', async () => {
    const unknown = await editor.get('/admin/instruments/staff-pulse/diff?from=1&to=9');
    expect(unknown.status).toBe(404);
    expect(unknown.$('.govuk-error-summary a').attr('href')).toBe('#to');
    expect(unknown.$('.govuk-error-summary').text()).toContain('staff-pulse has no version "9"');
    expect(unknown.$('#to-error').length).toBe(1);
    expect(unknown.$('table').length).toBe(0);

    const same = await editor.get('/admin/instruments/staff-pulse/diff?from=2&to=2');
    expect(same.status).toBe(400);
    expect(same.$('.govuk-error-summary a').attr('href')).toBe('#to');

    const several = await editor.get('/admin/instruments/staff-pulse/diff?from=1&from=2&to=2');
    expect(several.status).toBe(400);
    expect(several.$('.govuk-error-summary a').attr('href')).toBe('#from');
  });

  it('offers a form to upload or paste an instrument, posted as multipart with its CSRF token', async () => {
    const page = await editor.get('/admin/publish');
    expect(page.status).toBe(200);
    const form = page.$('main form');
    expect(form.attr('action')).toBe('/admin/publish/check');
    expect(form.attr('enctype')).toBe('multipart/form-data');
    expect(form.find('input[type=file]#file').attr('name')).toBe('file');
    expect(form.find('textarea#source').attr('name')).toBe('source');
    expect(page.$('label[for=file]').length + page.$('label[for=source]').length).toBe(2);
    expect(form.find('input[name=_csrf]').attr('value')).toBeTruthy();
  });

  it('shows an uploaded file’s mistake beside the line it is on, with a 400, and keeps the text', async () => {
    const text = versionOf(PULSE_2, '3').replace('type: scale\n        text: How is your wellbeing?', 'type: scael\n        text: How is your wellbeing?');
    const line = lineOf(text, 'type: scael');
    const form = await editor.get('/admin/publish');
    const page = await postMultipart(editor, '/admin/publish/check', [
      ['_csrf', csrfOf(form)],
      ['file', { filename: 'pulse-3.yaml', text }],
      ['source', ''],
    ]);
    expect(page.status).toBe(400);
    const summary = page.$('.govuk-error-summary');
    expect(summary.find('h2').text()).toContain('pulse-3.yaml has a problem');
    expect(summary.find('a').attr('href')).toBe(`#line-${line}`);
    expect(summary.find('a').text()).toContain(`Line ${line}:`);
    const marked = page.$(`#line-${line}`);
    expect(marked.hasClass('tapestry-source__line--problem')).toBe(true);
    expect(marked.find('.tapestry-source__number').text()).toBe(String(line));
    expect(marked.find('.tapestry-source__text').text()).toContain('type: scael');
    expect(marked.find('.tapestry-source__problem').text()).toContain('`scael`, which is not a question type; did you mean `scale`?');
    expect(page.$('.tapestry-source__line--problem').length).toBe(1);
    expect(page.$('textarea#source').text()).toBe(text);
    expect(page.$('#source-error').text()).toContain('pulse-3.yaml has a problem');
    expect(page.$('main form input[name=filename]').attr('value')).toBe('pulse-3.yaml');
    expect(await versionsOf('staff-pulse')).toEqual(['1', '2']);
  });

  it('asks for a file or text when the form comes empty, and for one of them when both come', async () => {
    const form = await editor.get('/admin/publish');
    const empty = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: '', text: '' }], ['source', '']]);
    expect(empty.status).toBe(400);
    expect(empty.$('.govuk-error-summary a').attr('href')).toBe('#file');
    expect(empty.$('#file-error').text()).toContain('Choose an instrument file to upload, or paste its text');
    const both = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: 'a.yaml', text: PULSE_1 }], ['source', PULSE_1]]);
    expect(both.status).toBe(400);
    expect(both.$('#file-error').text()).toContain('Upload a file or paste the text, not both');
  });

  it('checks pasted text and shows what it is, what it changes from the latest version, and every page, before publishing', async () => {
    const text = versionOf(PULSE_2, '3').replace('How is your wellbeing?', 'How is your wellbeing this month?');
    const form = await editor.get('/admin/publish');
    const page = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: '', text: '' }], ['source', text.replace(/\n/g, '\r\n')]]);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Check version 3 of staff-pulse');
    expect(page.$('.govuk-caption-l').first().text()).toBe('pasted.yaml');
    const facts = Object.fromEntries(page.$('.govuk-summary-list__row').toArray().map((row) => [page.$(row).find('dt').text().trim(), page.$(row).find('dd').text().trim()]));
    expect(facts).toMatchObject({ Instrument: 'staff-pulse', Version: '3', Title: 'Staff pulse', Kind: 'individual', Size: '2 pages, 6 questions' });
    expect(page.$('.govuk-inset-text').first().text()).toContain('Version 3 is new. staff-pulse has 2 published versions; the latest, 2,');
    expect(page.$('caption').text()).toBe('What changed from version 2 to version 3');
    expect(page.$('tbody tr').filter((_, row) => page.$(row).find('th code').text() === 'wellbeing').find('li').text()).toContain('reworded');
    expect(page.$('section.tapestry-preview-page h3').map((_, h) => page.$(h).text()).get()).toEqual(['Introduction', 'Your role', 'Your views']);
    const publish = page.$('main form[action="/admin/publish"]');
    expect(publish.find('button').text().trim()).toBe('Publish version 3');
    // The text goes back as it was checked, with its line endings made plain.
    expect(publish.find('input[name=source]').attr('value')).toBe(text);
    expect(await versionsOf('staff-pulse')).toEqual(['1', '2']);
  });

  it('publishes an uploaded file once confirmed: the version, and one audit row naming the account', async () => {
    const text = versionOf(PULSE_2, '4');
    const auditBefore = await count('audit_log');
    const form = await editor.get('/admin/publish');
    const check = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: 'staff-pulse-4.yaml', text }], ['source', '']]);
    expect(check.status).toBe(200);
    expect(check.$('.govuk-caption-l').first().text()).toBe('staff-pulse-4.yaml');
    const done = await submitPublishForm(editor, check);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/admin/instruments/staff-pulse?published=4');
    const landed = await editor.follow(done);
    expect(landed.$('.govuk-notification-banner--success').text()).toContain('Version 4 of staff-pulse has been published.');
    expect(landed.$('table').first().find('tbody tr th').first().text().trim()).toBe('4');

    expect(await versionsOf('staff-pulse')).toEqual(['1', '2', '4']);
    const stored = await ws.store.db.selectFrom('instrument_versions').selectAll().where('instrument_id', '=', 'staff-pulse').where('version', '=', '4').executeTakeFirstOrThrow();
    expect(stored.source_text).toBe(text);
    expect(stored.content_hash).toBe(contentHash(checkInstrumentText(text, 'x.yaml').instrument!));
    expect(await count('audit_log')).toBe(auditBefore + 1);
    const [entry] = await listAudit(ws.store.db, { action: 'published', instrumentId: 'staff-pulse' });
    expect(entry).toMatchObject({
      actor: 'eve@example.org',
      address: '127.0.0.1',
      summary: 'published staff-pulse 4',
      details: { version: '4', content_hash: stored.content_hash, file: 'staff-pulse-4.yaml' },
    });
    expect(entry!.actorAccountId).not.toBeNull();
  });

  it('publishes nothing again when the same version comes with the same content', async () => {
    const before = { versions: await count('instrument_versions'), audit: await count('audit_log') };
    const form = await editor.get('/admin/publish');
    const check = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['source', PULSE_2]]);
    expect(check.status).toBe(200);
    expect(check.$('h1').text()).toBe('Version 2 is already published');
    expect(check.$('main form[action="/admin/publish"]').length).toBe(0);
    // Even sent straight to the publishing address.
    const again = await postMultipart(editor, '/admin/publish', [['_csrf', csrfOf(form)], ['source', PULSE_2]]);
    expect(again.status).toBe(200);
    expect(again.$('.govuk-notification-banner').text()).toContain('Publishing it again would change nothing');
    expect(await count('instrument_versions')).toBe(before.versions);
    expect(await count('audit_log')).toBe(before.audit);
  });

  it('refuses a version already published with other content, on the line of its version', async () => {
    const text = PULSE_2.replace('How is your wellbeing?', 'How are you?');
    const form = await editor.get('/admin/publish');
    for (const url of ['/admin/publish/check', '/admin/publish']) {
      const page = await postMultipart(editor, url, [['_csrf', csrfOf(form)], ['source', text]]);
      expect(page.status).toBe(409);
      expect(page.$('.govuk-error-summary a').attr('href')).toBe(`#line-${lineOf(text, 'version:')}`);
      expect(page.$('.tapestry-source__line--problem .tapestry-source__problem').text()).toContain('version 2 of staff-pulse was published on');
    }
    expect(await versionsOf('staff-pulse')).toEqual(['1', '2', '4']);
  });

  it('refuses multipart forms without their CSRF token, and publishes nothing', async () => {
    const before = { versions: await count('instrument_versions'), audit: await count('audit_log') };
    const text = versionOf(PULSE_2, '5');
    for (const url of ['/admin/publish/check', '/admin/publish']) {
      const missing = await postMultipart(editor, url, [['file', { filename: 'p.yaml', text }]]);
      expect(missing.status).toBe(403);
      expect(missing.$('h1').text()).toBe('This form has expired');
      const wrong = await postMultipart(editor, url, [['_csrf', 'not-the-token'], ['file', { filename: 'p.yaml', text }]]);
      expect(wrong.status).toBe(403);
    }
    expect(await count('instrument_versions')).toBe(before.versions);
    expect(await count('audit_log')).toBe(before.audit);
  });

  it('sends an upload from nobody signed in to the sign-in page, and publishes nothing', async () => {
    const before = await count('instrument_versions');
    const page = await postMultipart(new Browser(ws.app), '/admin/publish', [['_csrf', 'anything'], ['file', { filename: 'p.yaml', text: versionOf(PULSE_2, '8') }]]);
    expect(page.status).toBe(303);
    expect(page.location).toBe('/admin/sign-in');
    expect(await count('instrument_versions')).toBe(before);
    // Not even read: a body that is not multipart at all would otherwise be a 400.
    const unread = await new Browser(ws.app).postRaw('/admin/publish/check', 'not a multipart body', 'multipart/form-data; boundary=nothing');
    expect(unread.status).toBe(303);
  });

  it('refuses an editor limited to another instrument, before showing or writing anything', async () => {
    const limited = await ws.signIn('lee@example.org');
    const before = { versions: await count('instrument_versions'), audit: await count('audit_log') };
    const form = await limited.get('/admin/publish');
    expect(form.status).toBe(200);
    const text = versionOf(PULSE_2, '6');
    for (const url of ['/admin/publish/check', '/admin/publish']) {
      const page = await postMultipart(limited, url, [['_csrf', csrfOf(form)], ['file', { filename: 'p.yaml', text }]]);
      expect(page.status).toBe(403);
      expect(page.$('main').text()).toContain('does not allow this on staff-pulse');
    }
    expect(await count('instrument_versions')).toBe(before.versions);
    expect(await count('audit_log')).toBe(before.audit);
  });

  it('refuses the publishing pages to a role that cannot publish', async () => {
    const viewer = await ws.signIn('vic@example.org');
    expect((await viewer.get('/admin/publish')).status).toBe(403);
  });

  it('refuses an upload larger than 1 MB, and a second file', async () => {
    const form = await editor.get('/admin/publish');
    const huge = `${PULSE_1}#${'x'.repeat(1024 * 1024)}\n`;
    const large = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: 'big.yaml', text: huge }]]);
    expect(large.status).toBe(413);
    expect(large.$('main').text()).toContain('may be at most 1 MB');
    const two = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: 'a.yaml', text: PULSE_1 }], ['file', { filename: 'b.yaml', text: PULSE_1 }]]);
    expect(two.status).toBe(400);
    const stray = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['source', { filename: 'a.yaml', text: PULSE_1 }]]);
    expect(stray.status).toBe(400);
  });

  it('refuses an uploaded file that is not UTF-8 text', async () => {
    const form = await editor.get('/admin/publish');
    const page = await postMultipart(editor, '/admin/publish/check', [['_csrf', csrfOf(form)], ['file', { filename: 'latin1.yaml', text: Buffer.from(`${PULSE_1}# caf\xe9\n`, 'latin1') }]]);
    expect(page.status).toBe(400);
    expect(page.$('#file-error').text()).toContain('latin1.yaml is not UTF-8 text');
  });

  it('takes multipart forms on the publishing pages only', async () => {
    const form = await editor.get('/admin/account');
    const page = await postMultipart(editor, '/admin/account/password', [['_csrf', csrfOf(form)], ['current', 'x']]);
    expect(page.status).toBe(415);
  });
});
