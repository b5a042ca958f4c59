import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInvitations } from '../../src/store/invitations.ts';
import { closeWave } from '../../src/store/waves.ts';
import { Browser, type Page } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

describe(`bad input to the survey service on ${backend}`, () => {
  let survey: SurveyApp;
  let browser: Browser;
  let page: Page;
  const base = '/s/leadership-organisational/2010';
  const pageUrl = `${base}/page/about-organisation`;

  const snapshot = () =>
    survey.store.db.selectFrom('responses').select(['id', 'status', 'answers', 'current_page', 'updated_at']).orderBy('id').execute();
  const csrf = () => page.$('input[name=_csrf]').attr('value')!;
  const asked = () => page.$('input[name=_asked]').attr('value')!;
  /** A valid first page, as url-encoded pairs, before any tampering. */
  const valid = (): [string, string][] => [
    ['_csrf', csrf()],
    ['_asked', asked()],
    ['sector', 'voluntary'],
    ['size_band', 's10_49'],
    ['_action', 'continue'],
  ];
  const encode = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();

  async function expectRefused(response: Page, status: number, message: string | RegExp) {
    expect(response.status).toBe(status);
    expect(response.$('main').text()).toMatch(message);
  }

  beforeAll(async () => {
    survey = await startSurveyApp({ lookupsPerMinute: 1000, bodyLimit: 16 * 1024 });
    browser = new Browser(survey.app);
    const start = await browser.get(base);
    await browser.post(`${base}/start`, Browser.formFields(start).fields);
  });
  afterAll(() => survey.dispose());

  let before: Awaited<ReturnType<typeof snapshot>>;
  beforeEach(async () => {
    page = await browser.get(pageUrl);
    expect(page.status).toBe(200);
    before = await snapshot();
  });
  const nothingStored = async () => expect(await snapshot()).toEqual(before);

  it('returns 400 when an answer names a question that the survey does not have', async () => {
    await expectRefused(await browser.post(pageUrl, [...valid(), ['salary', '100']]), 400, 'the form sent an answer to `salary`, which this page does not ask');
    await nothingStored();
  });

  it('returns 400 when an answer names a question from another page', async () => {
    await expectRefused(await browser.post(pageUrl, [...valid(), ['barriers', 'Money']]), 400, 'the form sent an answer to `barriers`, which this page does not ask');
    await nothingStored();
  });

  it('returns 400 when an answer is an option id the question does not list', async () => {
    const pairs = valid().map(([k, v]): [string, string] => (k === 'sector' ? [k, 'military'] : [k, v]));
    await expectRefused(await browser.post(pageUrl, pairs), 400, "the form sent `sector` = 'military', which is not one of its options");
    await nothingStored();
  });

  it('returns 400 when a single-answer question is sent twice', async () => {
    await expectRefused(await browser.post(pageUrl, [...valid(), ['sector', 'public']]), 400, 'the form sent `sector` 2 times, but it takes one answer');
    await nothingStored();
  });

  it('returns 422 with the page, its error summary and the answers kept when a number is out of range', async () => {
    const response = await browser.post(pageUrl, [...valid(), ['staff', '0']]);
    expect(response.status).toBe(422);
    expect(response.$('.govuk-error-summary').text()).toContain('Enter a whole number of 1 or more');
    expect(response.$('.govuk-error-summary a').attr('href')).toBe('#staff');
    expect(response.$('#staff').attr('value')).toBe('0');
    expect(response.$('#staff').attr('aria-describedby')).toContain('staff-error');
    expect(response.$('input[name=sector][value=voluntary]').attr('checked')).toBeDefined();
    expect(response.$('title').text()).toMatch(/^Error: /);
    await nothingStored();
  });

  it('returns 422 naming the question when a required answer is missing', async () => {
    const response = await browser.post(pageUrl, valid().filter(([k]) => k !== 'sector'));
    expect(response.status).toBe(422);
    expect(response.$('.govuk-error-summary a').first().attr('href')).toBe('#sector');
    expect(response.$('.govuk-error-summary').text()).toContain('Select an answer');
    await nothingStored();
  });

  it('returns 422 with the check page when a submission skips a required question, and submits nothing', async () => {
    const check = await browser.get(`${base}/check`);
    const response = await browser.post(`${base}/submit`, Browser.formFields(check, 'form[action$="/submit"]').fields);
    expect(response.status).toBe(422);
    expect(response.$('.govuk-error-summary').text()).toContain('answer this question before sending');
    expect(response.$('.govuk-error-summary a').first().attr('href')).toBe(`${base}/page/about-organisation?return=check`);
    expect(await survey.store.db.selectFrom('responses').select('id').where('status', '=', 'submitted').execute()).toEqual([]);
    await nothingStored();
  });

  it('returns 413 when the body is over the limit', async () => {
    const response = await browser.postRaw(pageUrl, `${encode(valid())}&barriers=${'x'.repeat(20 * 1024)}`);
    await expectRefused(response, 413, 'larger than this service accepts');
    await nothingStored();
  });

  it('returns 400 when the percent-encoding is malformed', async () => {
    await expectRefused(await browser.postRaw(pageUrl, `${encode(valid())}&service_areas_other=%E2%8`), 400, 'malformed percent-encoding');
    await nothingStored();
  });

  it('returns 400 when an escape decodes to invalid UTF-8', async () => {
    await expectRefused(await browser.postRaw(pageUrl, `${encode(valid())}&service_areas_other=%C3%28`), 400, 'is not UTF-8');
    await nothingStored();
  });

  it('returns 400 when the body holds raw bytes that are not percent-encoded', async () => {
    const body = Buffer.concat([Buffer.from(`${encode(valid())}&service_areas_other=`), Buffer.from([0xff, 0xfe])]);
    await expectRefused(await browser.postRaw(pageUrl, body), 400, 'contains characters that were not percent-encoded');
    await nothingStored();
  });

  it('returns 403 when the CSRF token is missing', async () => {
    await expectRefused(await browser.post(pageUrl, valid().filter(([k]) => k !== '_csrf')), 403, 'The form was out of date or did not come from this site');
    await nothingStored();
  });

  it('returns 403 when the CSRF token is wrong', async () => {
    const pairs = valid().map(([k, v]): [string, string] => (k === '_csrf' ? [k, `${v.slice(0, -4)}AAAA`] : [k, v]));
    await expectRefused(await browser.post(pageUrl, pairs), 403, 'The form was out of date or did not come from this site');
    await nothingStored();
  });

  it('returns 415 for a body that is not a form', async () => {
    await expectRefused(await browser.postRaw(pageUrl, '{"sector":"public"}', 'application/json'), 415, 'The form was sent in a format this service does not accept');
    await nothingStored();
  });

  it('returns 404 for an unknown invitation token, and for one that is not even token-shaped', async () => {
    await expectRefused(await browser.get('/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'Check that you copied the whole link');
    await expectRefused(await browser.get('/i/%3Cscript%3E'), 404, 'Check that you copied the whole link');
    await nothingStored();
  });

  it('returns 404 for a resume code that belongs to no response, keeping what was typed', async () => {
    const form = await browser.get(`${base}/resume`);
    const response = await browser.post(`${base}/resume`, [...Browser.formFields(form).fields, ['code', 'ZZZZ-ZZZZ-ZZZZ-ZZZZ']]);
    expect(response.status).toBe(404);
    expect(response.$('.govuk-error-summary').text()).toContain('There is no response with that resume code');
    expect(response.$('#code').attr('value')).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
  });

  it('returns 400 for a resume code in the wrong format', async () => {
    const form = await browser.get(`${base}/resume`);
    const response = await browser.post(`${base}/resume`, [...Browser.formFields(form).fields, ['code', '<b>1234</b>']]);
    expect(response.status).toBe(400);
    expect(response.html).not.toContain('<b>1234</b>');
  });

  it('returns 409 for an invitation whose response was already submitted', async () => {
    const [invitation] = await createInvitations(survey.store.db, survey.waveIds['leadership-organisational']!, [{}]);
    const invited = new Browser(survey.app);
    const first = await invited.follow(await invited.get(`/i/${invitation!.token}`));
    expect(first.status).toBe(200);
    await survey.store.db.updateTable('responses').set({ status: 'submitted', submitted_at: new Date() }).where('invitation_id', '=', invitation!.id).execute();
    before = await snapshot();
    await expectRefused(await new Browser(survey.app).get(`/i/${invitation!.token}`), 409, 'A response has already been sent with this invitation');
    await nothingStored();
  });

  it('returns 404 for a survey or wave that does not exist', async () => {
    await expectRefused(await browser.get('/s/leadership-organisational/1999'), 404, 'There is no survey at this address');
    await expectRefused(await browser.get('/s/nothing/2010'), 404, 'There is no survey at this address');
  });

  it('returns 429 when invitation look-ups come too fast', async () => {
    const limited = await startSurveyApp({ lookupsPerMinute: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.app.inject({ method: 'GET', url: '/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).statusCode);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
    } finally {
      await limited.dispose();
    }
  });

  it('returns 410 once the wave is closed, and stores nothing', async () => {
    await closeWave(survey.store.db, survey.waveIds['leadership-organisational']!, new Date('2010-09-10T00:00:00Z'));
    before = await snapshot();
    await expectRefused(await browser.post(pageUrl, valid()), 410, 'is no longer taking responses');
    await expectRefused(await browser.get(base), 410, 'is no longer taking responses');
    await nothingStored();
  });
});

describe(`numbers and exclusive options refused by the survey service on ${backend}`, () => {
  let survey: SurveyApp;
  let browser: Browser;
  const base = '/s/leadership-organisational/2010';
  const first = `${base}/page/about-organisation`;
  const offered = `${base}/page/development-offered`;
  const answers = () => survey.store.db.selectFrom('responses').select(['answers']).execute();

  beforeAll(async () => {
    survey = await startSurveyApp({ lookupsPerMinute: 1000 });
    browser = new Browser(survey.app);
    const start = await browser.get(base);
    await browser.post(`${base}/start`, Browser.formFields(start).fields);
  });
  afterAll(() => survey.dispose());

  const postFirst = async (staff: string) => {
    const page = await browser.get(first);
    return browser.post(first, [...Browser.formFields(page).fields, ['sector', 'public'], ['size_band', 's50_249'], ['staff', staff], ['_action', 'continue']]);
  };

  it.each([
    ['a whole number of 400 digits', '9'.repeat(400), 'Enter a whole number of 1 or more using fewer digits'],
    ['0.000…01 with 400 digits', `0.${'0'.repeat(398)}1`, 'Enter a whole number of 1 or more'],
    ['1.000…01 with 400 digits', `1.${'0'.repeat(398)}1`, 'Enter a whole number of 1 or more'],
  ])('returns 422 for %s in a whole-number question and stores nothing', async (_what, staff, message) => {
    const before = await answers();
    const response = await postFirst(staff);
    expect(response.status).toBe(422);
    expect(response.$('.govuk-error-summary').text()).toContain(message);
    expect(response.$('#staff-error').text()).toContain(message);
    expect(await answers()).toEqual(before);
  });

  it('returns 422 for "None of these" ticked with another option, keeps both ticked, and stores nothing', async () => {
    expect((await postFirst('120')).status).toBe(303);
    const page = await browser.get(offered);
    const before = await answers();
    const fields = [...Browser.formFields(page).fields, ['offered_front_line', 'coaching'], ['offered_front_line', 'none'], ['_action', 'continue']] as [string, string][];
    const response = await browser.post(offered, fields);
    expect(response.status).toBe(422);
    expect(response.$('.govuk-error-summary').text()).toContain("Select 'None of these' on its own, or the other options without it");
    expect(response.$('.govuk-error-summary a').first().attr('href')).toBe('#offered_front_line');
    expect(response.$('input[name=offered_front_line][value=coaching]').attr('checked')).toBeDefined();
    expect(response.$('input[name=offered_front_line][value=none]').attr('checked')).toBeDefined();
    expect(await answers()).toEqual(before);
  });

  it('shows "None of these" after an "or" divider with the exclusive behaviour of GOV.UK checkboxes', async () => {
    const page = await browser.get(offered);
    const group = page.$('input[name=offered_front_line]').first().closest('.govuk-checkboxes');
    const last = group.children('.govuk-checkboxes__item').last();
    expect(last.prev().is('.govuk-checkboxes__divider')).toBe(true);
    expect(last.prev().text().trim()).toBe('or');
    expect(last.find('input').attr('value')).toBe('none');
    expect(last.find('input').attr('data-behaviour')).toBe('exclusive');
    expect(group.find('input[data-behaviour]')).toHaveLength(1);
    // A multiple-choice question with no exclusive option has no divider.
    expect(page.$('.govuk-checkboxes__divider')).toHaveLength(4);
  });

  it('accepts "None of these" on its own and the other options without it', async () => {
    const page = await browser.get(offered);
    const fields = Browser.formFields(page).fields;
    const ticks: [string, string][] = [
      ['offered_front_line', 'none'],
      ['offered_first_line', 'coaching'],
      ['offered_first_line', 'mentoring'],
      ['offered_middle', 'none'],
      ['offered_senior', 'coaching'],
    ];
    const response = await browser.post(offered, [...fields, ...ticks, ['_action', 'continue']]);
    expect(response.status).toBe(303);
    const [row] = await answers();
    expect(row!.answers).toMatchObject({ offered_front_line: ['none'], offered_first_line: ['coaching', 'mentoring'], offered_middle: ['none'], offered_senior: ['coaching'] });
  });
});
