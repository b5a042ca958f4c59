import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitations } from '../../src/store/invitations.ts';
import { openWave } from '../../src/store/waves.ts';
import { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

const INSTRUMENT = 'leadership-organisational';

describe(`who may start a survey, on ${backend}`, () => {
  let survey: SurveyApp;
  let invitedWave: number;

  const responseCount = async () => Number((await survey.store.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    survey = await startSurveyApp({ startsPerMinute: 1000 });
    const versionId = survey.versionIds[INSTRUMENT]!;
    const opensAt = new Date('2010-09-01T00:00:00Z');
    invitedWave = (await openWave(survey.store.db, { instrumentId: INSTRUMENT, instrumentVersionId: versionId, name: 'invited', opensAt, access: 'invitation' })).id;
    await openWave(survey.store.db, { instrumentId: INSTRUMENT, instrumentVersionId: versionId, name: 'unlisted', opensAt, listed: false });
  });
  afterAll(() => survey.dispose());

  it('lists on the home page only the waves that are open, listed and open to anyone', async () => {
    const home = await new Browser(survey.app).get('/');
    const links = home.$('main a').map((_, a) => home.$(a).attr('href')).get();
    expect(links).toContain(`/s/${INSTRUMENT}/2010`);
    expect(links).not.toContain(`/s/${INSTRUMENT}/invited`);
    expect(links).not.toContain(`/s/${INSTRUMENT}/unlisted`);
  });

  it('serves an unlisted open wave to anyone who has its address', async () => {
    const browser = new Browser(survey.app);
    const start = await browser.get(`/s/${INSTRUMENT}/unlisted`);
    expect(start.status).toBe(200);
    const started = await browser.post(`/s/${INSTRUMENT}/unlisted/start`, Browser.formFields(start).fields);
    expect(started.status).toBe(303);
  });

  it('answers 403 with an explanation on the address of an invitation-only wave, and starts nothing there', async () => {
    const browser = new Browser(survey.app);
    const refused = await browser.get(`/s/${INSTRUMENT}/invited`);
    expect(refused.status).toBe(403);
    expect(refused.$('h1').text()).toBe('You need an invitation to take part');
    expect(refused.$('main').text()).toContain('Use the personal link in your invitation');

    // A form token from an open survey's page, posted to the invitation-only wave's start.
    const open = await browser.get(`/s/${INSTRUMENT}/2010`);
    const before = await responseCount();
    const posted = await browser.post(`/s/${INSTRUMENT}/invited/start`, Browser.formFields(open).fields);
    expect(posted.status).toBe(403);
    expect(await responseCount()).toBe(before);
  });

  it('shows an invitee the introduction before the first question, then carries on with the prefilled answers', async () => {
    const [invitation] = await createInvitations(survey.store.db, invitedWave, [{ sector: 'voluntary' }]);
    const browser = new Browser(survey.app);
    const followed = await browser.get(`/i/${invitation!.token}`);
    expect(followed.status).toBe(303);
    expect(followed.location).toBe(`/s/${INSTRUMENT}/invited`);

    const start = await browser.follow(followed);
    expect(start.status).toBe(200);
    expect(start.$('h1').text()).toBe('Leadership development in social service organisations');
    expect(start.$('main').text()).toContain('confidential');
    expect(start.$('main').text()).toMatch(/takes about \d+ minutes/);
    // Resume codes are for anonymous respondents; an invitee comes back with the link.
    expect(start.$('a[href$="/resume"]')).toHaveLength(0);

    const startNow = start.$('main a.govuk-button--start');
    expect(startNow.text()).toContain('Start now');
    const first = await browser.get(startNow.attr('href')!);
    expect(first.status).toBe(200);
    expect(first.url).toBe(`/s/${INSTRUMENT}/invited/page/about-organisation`);
    expect(first.$('input[name=sector][value=voluntary]').attr('checked')).toBeDefined();
  });

  it('tells an invitee who comes back to continue where they left off', async () => {
    const [invitation] = await createInvitations(survey.store.db, invitedWave, [{}]);
    const browser = new Browser(survey.app);
    const start = await browser.follow(await browser.get(`/i/${invitation!.token}`));
    const first = await browser.get(start.$('main a.govuk-button--start').attr('href')!);
    const { action, fields } = Browser.formFields(first);
    await browser.post(action, [...fields, ['sector', 'public'], ['size_band', 's10_49'], ['_action', 'continue']]);

    const again = await browser.follow(await new Browser(survey.app).get(`/i/${invitation!.token}`));
    expect(again.status).toBe(200);
    const carryOn = again.$('main a.govuk-button--start');
    expect(carryOn.text()).toContain('Continue where you left off');
    expect(carryOn.attr('href')).not.toBe(`/s/${INSTRUMENT}/invited/page/about-organisation`);
  });

  it('sends an invitee whose answers were sent to the thank-you page, not to the invitation notice', async () => {
    const [invitation] = await createInvitations(survey.store.db, invitedWave, [{}]);
    const browser = new Browser(survey.app);
    await browser.follow(await browser.get(`/i/${invitation!.token}`));
    await survey.store.db.updateTable('responses').set({ status: 'submitted', submitted_at: new Date() }).where('invitation_id', '=', invitation!.id).execute();
    const start = await browser.get(`/s/${INSTRUMENT}/invited`);
    expect(start.status).toBe(303);
    expect(start.location).toBe(`/s/${INSTRUMENT}/invited/done`);
  });

  it('answers 429 once one client has started too many responses in a minute', async () => {
    const limited = await startSurveyApp({ startsPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const browser = new Browser(limited.app);
        const start = await browser.get(`/s/${INSTRUMENT}/2010`);
        statuses.push((await browser.post(`/s/${INSTRUMENT}/2010/start`, Browser.formFields(start).fields)).status);
      }
      expect(statuses).toEqual([303, 303, 303, 429, 429]);
      const responses = await limited.store.db.selectFrom('responses').select('id').execute();
      expect(responses).toHaveLength(3);
    } finally {
      await limited.dispose();
    }
  });
});
