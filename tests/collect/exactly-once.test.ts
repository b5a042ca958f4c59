import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/collect/server.ts';
import { createInvitations } from '../../src/store/invitations.ts';
import { submitResponse } from '../../src/store/responses.ts';
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

  it('answers a page saved while its response is being sent as a sent response: a redirect to the thank-you page', async () => {
    // The race: the save reads the response while it is still in progress, the submission lands,
    // then the save writes. The gate gives the save the read it would have had before the
    // submission, so that this order happens every time.
    const gate = new StaleRead();
    const app = await buildServer({ store: { ...survey.store, db: survey.store.db.withPlugin(gate) }, now: () => new Date(survey.clock.now) });
    try {
      const browser = new Browser(app);
      const start = await browser.get(base);
      await browser.post(`${base}/start`, Browser.formFields(start).fields);
      const about = await browser.get(`${base}/page/about-you`);
      await browser.post(about.$('form').attr('action')!, [...Browser.formFields(about).fields, ['sector', 'public'], ['tier', 'middle'], ['_action', 'continue']]);
      const again = await browser.get(`${base}/page/about-you`);
      const id = (await survey.store.db.selectFrom('responses').select('id').where('status', '=', 'in_progress').orderBy('started_at', 'desc').executeTakeFirstOrThrow()).id;
      // Sent from another tab of the same browser, which keeps its cookie in this one.
      expect((await submitResponse(survey.store.db, id, new Date(survey.clock.now))).submitted).toBe(true);

      gate.inProgress = id;
      const saved = await browser.post(`${base}/page/about-you`, [...Browser.formFields(again).fields, ['sector', 'private'], ['tier', 'middle'], ['_action', 'save']]);
      expect(gate.served).toBe(true);
      expect(saved.status).toBe(303);
      expect(saved.location).toBe(`${base}/done`);
      // The answers sent are the ones kept: the late save changed nothing.
      const row = await survey.store.db.selectFrom('responses').select(['status', 'answers']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'submitted', answers: { sector: 'public', tier: 'middle' } });
    } finally {
      await app.close();
    }
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

/** Serves the next read of one response as it was before it was sent: a read that lost the race. */
class StaleRead implements KyselyPlugin {
  inProgress: string | undefined;
  served = false;

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const row = result.rows[0];
    if (this.inProgress === undefined || row?.id !== this.inProgress || row.status !== 'submitted') return result;
    this.inProgress = undefined;
    this.served = true;
    return { ...result, rows: [{ ...row, status: 'in_progress', submitted_at: null }] };
  }
}
