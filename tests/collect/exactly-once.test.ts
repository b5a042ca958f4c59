import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitations } from '../../src/store/invitations.ts';
import { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

describe(`exactly-once submission on ${backend}`, () => {
  let survey: SurveyApp;
  const base = '/s/capabilities-self-assessment/2010';

  beforeAll(async () => {
    survey = await startSurveyApp({ lookupsPerMinute: 1000 });
  });
  afterAll(() => survey.dispose());

  it('stores one submission when the same submission is posted 20 times at once', async () => {
    const browser = new Browser(survey.app);
    const start = await browser.get(base);
    await browser.post(`${base}/start`, Browser.formFields(start).fields);
    // Everything in this instrument but sector and tier is optional: answer those, skip the rest.
    let page = await browser.get(`${base}/page/about-you`);
    page = await browser.follow(
      await browser.post(page.$('form').attr('action')!, [...Browser.formFields(page).fields, ['sector', 'public'], ['tier', 'middle'], ['_action', 'continue']]),
    );
    while (!page.url.endsWith('/check')) {
      page = await browser.follow(await browser.post(page.$('form').attr('action')!, [...Browser.formFields(page).fields, ['_action', 'continue']]));
    }
    const submit = Browser.formFields(page, 'form[action$="/submit"]');
    const results = await Promise.all(Array.from({ length: 20 }, () => browser.post(submit.action, submit.fields)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(303));
    expect(results.every((r) => r.location === `${base}/done`)).toBe(true);

    const waveId = survey.waveIds['capabilities-self-assessment']!;
    const responses = await survey.store.db.selectFrom('responses').select(['status', 'submitted_at']).where('wave_id', '=', waveId).execute();
    expect(responses).toEqual([{ status: 'submitted', submitted_at: expect.any(Date) }]);
  });

  it('starts one response when the same invitation link is opened 20 times at once', async () => {
    const [invitation] = await createInvitations(survey.store.db, survey.waveIds['capabilities-self-assessment']!, [{ sector: 'private', tier: 'senior' }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => new Browser(survey.app).get(`/i/${invitation!.token}`)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(303));
    const responses = await survey.store.db.selectFrom('responses').select(['answers']).where('invitation_id', '=', invitation!.id).execute();
    expect(responses).toHaveLength(1);
    // Attributes of the invitation that name questions are filled in as answers.
    expect(responses[0]!.answers).toEqual({ sector: 'private', tier: 'senior' });
  });
});
