import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activate,
  chooseRadio,
  describeFocus,
  DESKTOP,
  PHONE,
  expectAccessible,
  focusOf,
  isControl,
  isField,
  isLink,
  launchChromium,
  pressForNewPage,
  tabTo,
  tickCheckbox,
  typeInto,
} from '../support/chromium.ts';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

/** Chromium and an embedded PostgreSQL on two cores: generous. */
const TIMEOUT = 180_000;
const BASE = '/s/leadership-individual/2010';

describe(`the survey in a real browser (Chromium, ${backend})`, () => {
  let survey: SurveyApp;
  let browser: Browser;
  let origin: string;
  /** Screenshots go here; set TAPESTRY_SCREENSHOTS to a directory to keep them. */
  let shots: string;

  beforeAll(async () => {
    survey = await startSurveyApp();
    await survey.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(survey.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    shots = process.env.TAPESTRY_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'tapestry-screens-'));
    mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await survey?.dispose();
    if (shots && !process.env.TAPESTRY_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
  });

  async function submittedIds(): Promise<Set<string>> {
    const rows = await survey.store.db.selectFrom('responses').select('id').where('status', '=', 'submitted').execute();
    return new Set(rows.map((r) => r.id));
  }

  it(
    'lets a keyboard user complete and send the survey, and no page it shows has a serious or critical WCAG A/AA violation',
    async () => {
      const context: BrowserContext = await browser.newContext({ bypassCSP: true, viewport: DESKTOP });
      const page: Page = await context.newPage();
      const checked: string[] = [];

      /** axe on the page as it stands, then the same page on a phone must not scroll sideways. */
      async function check(label: string) {
        await expectAccessible(page, label);
        checked.push(label);
      }
      const heading = () => page.locator('h1').innerText();
      const continueButton = isControl('Continue');

      try {
        // ---- home page → start page: the first Tab reaches the skip link, then the survey's link.
        await page.goto(origin + '/');
        await check('the home page');
        await page.keyboard.press('Tab');
        const skip = await focusOf(page);
        expect(describeFocus(skip)).toBe('<a href=#main-content> "Skip to main content"');
        expect(skip.indicated).toBe(true);
        await tabTo(page, 'the link to the survey', (f) => f.tag === 'a' && f.href === BASE);
        expect(await activate(page)).toBe(200);
        expect(page.url()).toBe(origin + BASE);

        // ---- start page → resume code
        await check('the start page');
        await tabTo(page, 'the Start now button', isControl('Start now'));
        expect(await activate(page)).toBe(200);
        expect(await heading()).toBe('Your resume code');
        expect(await page.locator('.tapestry-code').innerText()).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
        await check('the resume-code page');
        // A link that looks like a button must work as what it says it is: a link with Enter, a
        // role="button" with Space (which, with no JavaScript, nothing would make it do).
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);
        expect(page.url()).toBe(`${origin}${BASE}/page/about-you`);

        // ---- about you: sent with nothing answered, then answered, with its follow-up question.
        expect(await heading()).toBe('About you and your role');
        await check('the first survey page');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(422);
        expect(await page.title()).toMatch(/^Error: /);
        await check('a survey page with an error summary');
        // As GOV.UK Frontend would with JavaScript: focus starts on the summary, whose links lead
        // to the questions, with the question and its error message in sight.
        const summary = await focusOf(page);
        expect(summary.text, 'focus does not start on the error summary').toMatch(/^There is a problem/);
        expect(summary.indicated).toBe(true);
        await page.keyboard.press('Tab');
        const firstError = await focusOf(page);
        expect(firstError).toMatchObject({ tag: 'a', href: '#sector' });
        expect(firstError.text).toContain('Which sector do you work in?');
        await page.keyboard.press('Enter');
        await page.waitForURL(/#sector$/);
        expect(await focusOf(page)).toMatchObject({ type: 'radio', name: 'sector' });
        const inSight = await page.evaluate(() => {
          const fieldset = document.activeElement!.closest('fieldset')!;
          const [legend, error] = [fieldset.querySelector('legend')!, fieldset.querySelector('.govuk-error-message')!].map((e) => e.getBoundingClientRect());
          return legend!.top >= 0 && error!.bottom <= window.innerHeight;
        });
        expect(inSight, 'the question and its error message are scrolled out of sight').toBe(true);

        await chooseRadio(page, 'sector', 'voluntary');
        await chooseRadio(page, 'tier', 'senior');
        await chooseRadio(page, 'service_area', 'other');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);
        expect(page.url()).toBe(`${origin}${BASE}/page/about-you`);
        expect(await page.locator('#service_area_other').count()).toBe(1);
        await check('the first survey page with its follow-up question');
        await typeInto(page, 'service_area_other', 'Community support & "advice"');
        // Back from the new question: the answer that brought it.
        await page.keyboard.press('Shift+Tab');
        expect(await focusOf(page)).toMatchObject({ type: 'radio', name: 'service_area', value: 'other', checked: true, indicated: true });
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);

        // ---- qualifications, and the questions a qualification brings
        expect(page.url()).toBe(`${origin}${BASE}/page/qualifications`);
        await check('the qualifications page');
        await chooseRadio(page, 'qual_status', 'holds');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);
        expect(page.url()).toBe(`${origin}${BASE}/page/qualifications`);
        await check('the qualifications page with its follow-up questions');
        await tickCheckbox(page, 'qual_type', 'svq');
        await tickCheckbox(page, 'qual_type', 'academic');
        await chooseRadio(page, 'qual_benefit', 'lot');
        await typeInto(page, 'qual_benefit_text', 'Confidence.');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);

        // ---- the matrices: one radio group per row
        expect(page.url()).toBe(`${origin}${BASE}/page/development-activities`);
        await check('the development activities page (a matrix)');
        await page.setViewportSize(PHONE);
        const shot = join(shots, 'development-activities-375.png');
        await page.screenshot({ path: shot, fullPage: true });
        expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await page.setViewportSize(DESKTOP);
        await chooseRadio(page, 'activities.coaching', 'took_part');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);

        expect(page.url()).toBe(`${origin}${BASE}/page/resources`);
        await check('the resources page');
        await chooseRadio(page, 'resources.clf', 'used');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);

        expect(page.url()).toBe(`${origin}${BASE}/page/your-leadership`);
        await check('the your-leadership page');
        await chooseRadio(page, 'capabilities.vision', 'established');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);

        expect(page.url()).toBe(`${origin}${BASE}/page/looking-ahead`);
        await check('the looking-ahead page');
        await typeInto(page, 'most_help', 'Time to learn.\nA coach.');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(200);

        // ---- check answers → send → thank you
        expect(page.url()).toBe(`${origin}${BASE}/check`);
        await check('the check-answers page');
        // Each answer starts level with its question, not a blank line below it.
        const offsets = await page.evaluate(() =>
          [...document.querySelectorAll('.govuk-summary-list__row')].map((row) => {
            const top = (selector: string) => {
              const range = document.createRange();
              range.selectNodeContents(row.querySelector(selector)!);
              return range.getClientRects()[0]!.top;
            };
            return Math.abs(top('.govuk-summary-list__value') - top('.govuk-summary-list__key'));
          }),
        );
        expect(Math.max(...offsets), 'an answer on the check-answers page starts lower than its question').toBeLessThan(5);
        const answers = await page.locator('.govuk-summary-list__value').allInnerTexts();
        expect(answers).toEqual(expect.arrayContaining(['Voluntary sector (charities and not-for-profit organisations)', 'Community support & "advice"', 'Time to learn.\nA coach.']));
        const before = await submittedIds();
        await tabTo(page, 'Send my answers', isControl('Send my answers'));
        expect(await activate(page)).toBe(200);
        expect(page.url()).toBe(`${origin}${BASE}/done`);
        expect(await heading()).toBe('Thank you');
        await check('the thank-you page');

        const sent = (await survey.store.db.selectFrom('responses').selectAll().where('status', '=', 'submitted').execute()).filter((r) => !before.has(r.id));
        expect(sent).toHaveLength(1);
        expect(await survey.store.db.selectFrom('responses').select('id').where('wave_id', '=', survey.waveIds['leadership-individual']!).execute()).toHaveLength(1);
        const stored = sent[0]!.answers as Record<string, unknown>;
        expect(stored).toMatchObject({
          sector: 'voluntary',
          tier: 'senior',
          service_area: 'other',
          service_area_other: 'Community support & "advice"',
          qual_status: 'holds',
          qual_benefit: 'lot',
          qual_benefit_text: 'Confidence.',
          activities: { coaching: 'took_part' },
          resources: { clf: 'used' },
          capabilities: { vision: 'established' },
        });
        expect([...(stored.qual_type as string[])].sort()).toEqual(['academic', 'svq']);
        // The browser sends the line break as CR LF; it is kept as LF.
        expect(stored.most_help).toBe('Time to learn.\nA coach.');

        // ---- resuming: the form, then a code that is not one
        await page.goto(`${origin}${BASE}/resume`);
        await check('the resume page');
        await typeInto(page, 'code', 'NOT-A-REAL-CODE');
        await tabTo(page, 'Continue', continueButton);
        expect(await activate(page)).toBe(400);
        await check('the resume page with an error summary');
        expect((await focusOf(page)).text, 'focus does not start on the error summary').toMatch(/^There is a problem/);
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await page.waitForURL(/#code$/);
        expect(await focusOf(page)).toMatchObject({ tag: 'input', name: 'code', value: 'NOT-A-REAL-CODE' });

        // ---- a page that does not exist
        const missing = await page.goto(`${origin}/no-such-page`);
        expect(missing!.status()).toBe(404);
        await check('the page-not-found page');

        expect(checked).toHaveLength(17);
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );

  it(
    'lets a respondent whose browser runs no JavaScript complete and send the survey',
    async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: DESKTOP });
      const page = await context.newPage();
      try {
        const before = await submittedIds();
        await page.goto(origin + BASE);
        await page.getByRole('button', { name: 'Start now' }).click();
        await expect.poll(() => page.locator('h1').innerText()).toBe('Your resume code');
        await page.locator('main a.govuk-button', { hasText: 'Continue' }).click();
        await page.waitForURL(/\/page\/about-you$/);

        const continueButton = page.getByRole('button', { name: 'Continue' });
        await page.locator('input[name=sector][value=public]').check();
        await page.locator('input[name=tier][value=front_line]').check();
        await page.locator('input[name=service_area][value=other]').check();
        await continueButton.click();
        // The follow-up question comes on the same page, from the server.
        await page.locator('#service_area_other').fill('Day centres');
        await continueButton.click();
        await page.waitForURL(/\/page\/qualifications$/);
        await page.locator('input[name=qual_status][value=none]').check();
        await continueButton.click();
        for (const next of ['development-activities', 'resources', 'your-leadership', 'looking-ahead']) {
          await page.waitForURL(new RegExp(`/page/${next}$`));
          await continueButton.click();
        }
        await page.waitForURL(/\/check$/);
        await page.getByRole('button', { name: 'Send my answers' }).click();
        await page.waitForURL(/\/done$/);
        expect(await page.locator('h1').innerText()).toBe('Thank you');

        const sent = (await survey.store.db.selectFrom('responses').selectAll().where('status', '=', 'submitted').execute()).filter((r) => !before.has(r.id));
        expect(sent).toHaveLength(1);
        expect(sent[0]!.answers).toEqual({ sector: 'public', tier: 'front_line', service_area: 'other', service_area_other: 'Day centres', qual_status: 'none' });
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );
});
