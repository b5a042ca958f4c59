import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

/** Answers this respondent gives; every other question gets the first option, or a plain value. */
type Script = Record<string, string | string[]>;

/** Fills every question the page shows, following the script, and returns the fields to post. */
function fill(page: Page, script: Script): [string, string][] {
  const { fields } = Browser.formFields(page);
  const { $ } = page;
  const names = new Set<string>();
  $('form input[type=radio], form input[type=checkbox], form input.govuk-input, form textarea').each((_, el) => {
    names.add($(el).attr('name')!);
  });
  for (const name of names) {
    const input = $(`form [name="${name}"]`).first();
    const type = input.attr('type');
    const scripted = script[name];
    if (type === 'radio' || type === 'checkbox') {
      const values = scripted === undefined ? [input.attr('value')!] : [scripted].flat();
      for (const value of values) fields.push([name, value]);
    } else if (input.is('textarea')) {
      fields.push([name, (scripted as string | undefined) ?? 'A few words.']);
    } else {
      fields.push([name, (scripted as string | undefined) ?? (input.attr('inputmode') ? '12' : 'Some text')]);
    }
  }
  fields.push(['_action', 'continue']);
  return fields;
}

/** Answers pages until the check-answers page, returning the pages seen (with follow-ups). */
async function answerAll(browser: Browser, first: Page, script: Script): Promise<{ check: Page; seen: string[] }> {
  let page = first;
  const seen: string[] = [];
  for (let steps = 0; steps < 30; steps++) {
    if (page.url.endsWith('/check')) return { check: page, seen };
    expect(page.status).toBe(200);
    seen.push(page.$('h1').text().trim());
    const { action } = Browser.formFields(page);
    const posted = await browser.post(action, fill(page, script));
    page = posted.status === 303 ? await browser.follow(posted) : posted;
  }
  throw new Error('the survey did not reach the check-answers page');
}

describe(`a respondent completing leadership-individual over HTTP on ${backend}`, () => {
  let survey: SurveyApp;
  let browser: Browser;
  const base = '/s/leadership-individual/2010';
  const script: Script = {
    sector: 'private',
    tier: 'senior',
    service_area: 'other',
    service_area_other: 'Community <b>support</b> & "advice"',
    qual_status: 'holds',
    qual_type: ['svq', 'academic'],
    qual_benefit: 'lot',
    'activities.coaching': 'took_part',
    most_help: 'Time.\nAnd <script>alert(1)</script>',
  };

  beforeAll(async () => {
    survey = await startSurveyApp();
    browser = new Browser(survey.app);
  });
  afterAll(() => survey.dispose());

  it('lists the open surveys on the home page', async () => {
    const home = await browser.get('/');
    expect(home.status).toBe(200);
    expect(home.$('main a').map((_, a) => home.$(a).attr('href')).get()).toContain(base);
  });

  it('starts, answers every page following the skip logic, checks and submits, storing one response', async () => {
    const start = await browser.get(base);
    expect(start.status).toBe(200);
    const posted = await browser.post(`${base}/start`, Browser.formFields(start).fields);
    expect(posted.status).toBe(303);
    const started = await browser.follow(posted);
    expect(started.status).toBe(200);
    const code = started.$('.tapestry-code').text();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const first = await browser.get(started.$('main a.govuk-button').attr('href')!);

    survey.clock.now = new Date('2010-09-15T10:05:00Z');
    const { check, seen } = await answerAll(browser, first, script);
    // The follow-up questions of a page come back on the same page before moving on.
    expect(seen.filter((title) => title === 'About you and your role').length).toBe(2);

    // Everything typed is shown escaped on the check-answers page.
    expect(check.html).not.toContain('<script>alert(1)</script>');
    expect(check.html).not.toContain('<b>support</b>');
    expect(check.$('main').text()).toContain('Community <b>support</b> & "advice"');
    expect(check.$('.govuk-summary-list__actions a').first().attr('href')).toContain('?return=check');

    survey.clock.now = new Date('2010-09-15T10:20:00Z');
    const submitted = await browser.post(`${base}/submit`, Browser.formFields(check, 'form[action$="/submit"]').fields);
    expect(submitted.status).toBe(303);
    const done = await browser.follow(submitted);
    expect(done.$('h1').text()).toContain('Thank you');

    const rows = await survey.store.db.selectFrom('responses').selectAll().where('wave_id', '=', survey.waveIds['leadership-individual']!).execute();
    expect(rows).toHaveLength(1);
    const [response] = rows;
    expect(response!.status).toBe('submitted');
    expect(response!.instrument_version_id).toBe(survey.versionIds['leadership-individual']);
    expect(new Date(response!.started_at).toISOString()).toBe('2010-09-15T10:00:00.000Z');
    expect(new Date(response!.submitted_at!).toISOString()).toBe('2010-09-15T10:20:00.000Z');
    const answers = response!.answers as Record<string, unknown>;
    expect(answers).toMatchObject({
      sector: 'private',
      tier: 'senior',
      service_area: 'other',
      service_area_other: 'Community <b>support</b> & "advice"',
      qual_status: 'holds',
      qual_type: ['svq', 'academic'],
      qual_benefit: 'lot',
      most_help: 'Time.\nAnd <script>alert(1)</script>',
    });
    expect((answers.activities as Record<string, string>).coaching).toBe('took_part');
    // Hidden by qual_status = 'holds': neither asked nor stored.
    expect(answers).not.toHaveProperty('not_completed_reasons');

    const times = await survey.store.db.selectFrom('response_page_times').selectAll().where('response_id', '=', response!.id).orderBy('page_id').execute();
    expect(times.map((t) => t.page_id)).toEqual(['about-you', 'development-activities', 'looking-ahead', 'qualifications', 'resources', 'your-leadership']);
  });

  it('shows options and scale points in the order the instrument lists them', async () => {
    const other = new Browser(survey.app);
    const start = await other.get(base);
    await other.post(`${base}/start`, Browser.formFields(start).fields);
    const page = await other.get(`${base}/page/about-you`);
    expect(page.$('input[name=tier]').map((_, el) => page.$(el).attr('value')).get()).toEqual(['front_line', 'first_line', 'middle', 'senior']);
    const answered = await other.follow(await other.post(`${base}/page/about-you`, fill(page, { ...script, service_area: 'fieldwork' })));
    expect(answered.$('input[name=qual_status]').map((_, el) => answered.$(el).attr('value')).get()).toEqual(['holds', 'working', 'started_not_completed', 'none']);
  });

  it('drops the answers of questions hidden when an earlier answer is changed from the check page', async () => {
    const other = new Browser(survey.app);
    const start = await other.get(base);
    const started = await other.follow(await other.post(`${base}/start`, Browser.formFields(start).fields));
    const first = await other.get(started.$('main a.govuk-button').attr('href')!);
    const { check } = await answerAll(other, first, { ...script, most_help: 'Nothing.' });
    expect(check.$('main').text()).toContain('What kind of qualification is it?');

    const change = check.$('.govuk-summary-list__actions a').filter((_, a) => check.$(a).attr('href')!.includes('/page/qualifications')).first();
    const page = await other.get(change.attr('href')!.replace(/#.*$/, ''));
    const posted = await other.post(page.$('form').attr('action')!, fill(page, { ...script, qual_status: 'none' }));
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`${base}/check`);
    const after = await other.follow(posted);
    expect(after.$('main').text()).not.toContain('What kind of qualification is it?');

    const response = await survey.store.db
      .selectFrom('responses')
      .select('answers')
      .where(sql<string>`answers->>'most_help'`, '=', 'Nothing.')
      .executeTakeFirstOrThrow();
    const answers = response.answers as Record<string, unknown>;
    expect(answers.qual_status).toBe('none');
    for (const hidden of ['qual_type', 'qual_reason', 'qual_benefit', 'qual_benefit_text']) expect(answers).not.toHaveProperty(hidden);
  });

  it('still has the response after the service and its database restart', async () => {
    await survey.restart();
    const rows = await survey.store.db.selectFrom('responses').select(['status', 'instrument_version_id']).where('status', '=', 'submitted').execute();
    expect(rows).toEqual([{ status: 'submitted', instrument_version_id: survey.versionIds['leadership-individual'] }]);
  });
});
