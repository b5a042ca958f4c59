import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashResumeCode } from '../../src/collect/resume-code.ts';
import { Browser, type Page } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

const base = '/s/leadership-organisational/2010';

describe(`resume codes on ${backend}`, () => {
  let survey: SurveyApp;

  const responseCount = async () => Number((await survey.store.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const codeOn = (page: Page) => page.$('.tapestry-code').text();

  /** Starts a response in a new browser; returns the browser and the code page it was shown. */
  async function start(): Promise<{ browser: Browser; codePage: Page }> {
    const browser = new Browser(survey.app);
    const startPage = await browser.get(base);
    const posted = await browser.post(`${base}/start`, Browser.formFields(startPage).fields);
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`${base}/code`);
    return { browser, codePage: await browser.follow(posted) };
  }

  beforeAll(async () => {
    survey = await startSurveyApp({ lookupsPerMinute: 1000, startsPerMinute: 1000 });
  });
  afterAll(() => survey.dispose());

  it('shows the code given at the start again when the respondent saves and leaves, and that code resumes the response', async () => {
    const { browser, codePage } = await start();
    const code = codeOn(codePage);
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);

    const first = await browser.get(codePage.$('main a.govuk-button').attr('href')!);
    const { action, fields } = Browser.formFields(first);
    const saved = await browser.post(action, [...fields, ['sector', 'private'], ['_action', 'save']]);
    expect(saved.status).toBe(303);
    const savedPage = await browser.follow(saved);
    expect(savedPage.$('h1').text()).toContain('Your answers are saved');
    expect(codeOn(savedPage)).toBe(code);
    expect(savedPage.$('main').text()).not.toContain('no longer works');

    // On another device, the code from the start still works.
    const elsewhere = new Browser(survey.app);
    const form = await elsewhere.get(`${base}/resume`);
    const resumed = await elsewhere.post(`${base}/resume`, [...Browser.formFields(form).fields, ['code', code.toLowerCase()]]);
    expect(resumed.status).toBe(303);
    expect(resumed.location).toBe(`${base}/page/about-organisation`);
    const page = await elsewhere.follow(resumed);
    expect(page.$('input[name=sector][value=private]').attr('checked')).toBeDefined();
  });

  it('shows the same code when the code page is reloaded, and starts no other response', async () => {
    const { browser, codePage } = await start();
    const before = await responseCount();
    const reloaded = await browser.get(`${base}/code`);
    expect(reloaded.status).toBe(200);
    expect(codeOn(reloaded)).toBe(codeOn(codePage));
    expect(await responseCount()).toBe(before);
  });

  it('carries on with the response this browser has when "Start now" is sent again', async () => {
    const { browser, codePage } = await start();
    const before = await responseCount();
    const startPage = await browser.get(base);
    // Nothing answered yet: the start page links to the first page instead of starting again.
    expect(startPage.$('main form[action$="/start"]')).toHaveLength(0);
    expect(startPage.$('main a.govuk-button--start').attr('href')).toBe(`${base}/page/about-organisation`);
    // The start form, resent from the browser's history with a token of this browser's.
    const first = await browser.get(codePage.$('main a.govuk-button').attr('href')!);
    const again = await browser.post(`${base}/start`, [['_csrf', first.$('input[name=_csrf]').attr('value')!]]);
    expect(again.status).toBe(303);
    expect(codeOn(await browser.follow(again))).toBe(codeOn(codePage));
    expect(await responseCount()).toBe(before);
  });

  it('says plainly that an earlier code no longer works when the response had a code of another kind', async () => {
    const { browser, codePage } = await start();
    const id = (await survey.store.db.selectFrom('responses').select('id').where('resume_code_hash', '=', hashResumeCode(codeOn(codePage))).executeTakeFirstOrThrow()).id;
    // As a response started before codes were derived from responses would have it.
    await survey.store.db.updateTable('responses').set({ resume_code_hash: hashResumeCode('AAAA-BBBB-CCCC-DDDD') }).where('id', '=', id).execute();
    const shown = await browser.get(`${base}/code`);
    expect(codeOn(shown)).toBe(codeOn(codePage));
    expect(shown.$('main').text()).toContain('This code replaces the one you were given before, which no longer works.');
    const row = await survey.store.db.selectFrom('responses').select('resume_code_hash').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.resume_code_hash).toBe(hashResumeCode(codeOn(codePage)));
  });

  it('gives different responses different codes', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) codes.add(codeOn((await start()).codePage));
    expect(codes.size).toBe(5);
  });
});
