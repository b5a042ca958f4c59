import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWave, WaveError } from '../../src/store/waves.ts';
import { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

const INSTRUMENT = 'leadership-organisational';

describe(`addresses that name no survey, on ${backend}`, () => {
  let survey: SurveyApp;
  let browser: Browser;
  let csrf: [string, string][];

  beforeAll(async () => {
    survey = await startSurveyApp({ lookupsPerMinute: 1000, startsPerMinute: 1000 });
    browser = new Browser(survey.app);
    csrf = Browser.formFields(await browser.get(`/s/${INSTRUMENT}/2010`)).fields;
  });
  afterAll(() => survey.dispose());

  const odd = ['%00', 'a%00b', '2010%00', "2010'--", '%E2%80%AE2010', 'X'.repeat(65), '.hidden', '..'];

  it('returns 404 with the error page when the instrument or wave part holds a NUL byte or another character no id has', async () => {
    for (const part of odd) {
      for (const url of [`/s/${part}/2010`, `/s/${INSTRUMENT}/${part}`, `/s/${INSTRUMENT}/${part}/resume`, `/s/${INSTRUMENT}/${part}/check`, `/s/${INSTRUMENT}/${part}/code`, `/s/${INSTRUMENT}/${part}/done`, `/s/${INSTRUMENT}/2010/page/${part}`]) {
        const page = await browser.get(url);
        expect([url, page.status]).toEqual([url, 404]);
        expect(page.$('h1').text()).toMatch(/not found/i);
      }
      for (const url of [`/s/${INSTRUMENT}/${part}/start`, `/s/${INSTRUMENT}/${part}/submit`, `/s/${part}/2010/resume`, `/s/${INSTRUMENT}/2010/page/${part}`]) {
        const page = await browser.post(url, csrf);
        expect([url, page.status]).toEqual([url, 404]);
      }
    }
    expect(await survey.store.db.selectFrom('responses').select('id').execute()).toEqual([]);
  });

  it('refuses to open a wave whose name could not be part of an address', async () => {
    const versionId = survey.versionIds[INSTRUMENT]!;
    for (const name of ['a\u0000b', 'spring 2026', '', '-x', 'x/y']) {
      await expect(openWave(survey.store.db, { instrumentId: INSTRUMENT, instrumentVersionId: versionId, name })).rejects.toThrow(WaveError);
    }
    await expect(openWave(survey.store.db, { instrumentId: INSTRUMENT, instrumentVersionId: versionId, name: '2026-spring.1_b' })).resolves.toMatchObject({ name: '2026-spring.1_b' });
  });
});
