/**
 * A study's life in the workspace, in Chromium, by keyboard where a person would use one: the
 * first admin made at the terminal while `tapestry serve` runs, signing in, a version uploaded with
 * a mistake and shown at its line, fixed and published, previewed, a wave opened by invitation with
 * targets and closed, a respondent's link refused, and the audit log telling every step with who
 * took it. axe checks every workspace page on the way.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate, chooseRadio, DESKTOP, expectAccessible, isControl, launchChromium, tabTo, typeInto } from '../support/chromium.ts';
import { startServe, tapestry, type Serving } from '../support/processes.ts';
import { backend, commandDatabase } from '../support/store.ts';

const TIMEOUT = 300_000;
const EMAIL = 'ada@example.org';
const PASSWORD = 'a long walk by the water of leith';

/** A small instrument with sector and tier, as a researcher might write one; `tierType` is where the mistake goes. */
function instrumentText(tierType: string, version = '1', seniorLabel = 'Senior manager'): string {
  return [
    'id: team-check',
    `version: "${version}"`,
    'title: Team development check',
    'kind: individual',
    'source: Written for this study.',
    'pages:',
    '  - id: about-you',
    '    title: About you',
    '    questions:',
    '      - id: sector',
    '        type: single',
    '        text: Which sector do you work in?',
    '        required: true',
    '        options:',
    '          public: Public sector',
    '          voluntary: Voluntary sector',
    '      - id: tier',
    `        type: ${tierType}`,
    '        text: Which best describes your role?',
    '        options:',
    '          frontline: Front-line practitioner',
    `          senior: ${seniorLabel}`,
    '  - id: development',
    '    title: Development',
    '    questions:',
    '      - id: wish',
    '        type: longtext',
    '        text: What development would help you most?',
    '',
  ].join('\n');
}
const MISTAKE_LINE = 18;

describe(`the researchers' workspace in a real browser (Chromium, ${backend})`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let database: Awaited<ReturnType<typeof commandDatabase>>;
  let serve: Serving;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapestry-workspace-'));
    database = await commandDatabase('workspace');
    env = { ...process.env, ...database.env, TAPESTRY_DATA_DIR: dataDir };
    serve = await startServe(env);
    browser = await launchChromium();
    shots = process.env.TAPESTRY_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'tapestry-screens-'));
    mkdirSync(shots, { recursive: true });
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await database?.dispose();
    if (shots && !process.env.TAPESTRY_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
  });

  it(
    'takes an admin from the first account to a closed wave, and every step is in the audit log',
    async () => {
      const added = await tapestry(env, ['user', 'add', EMAIL, '--role', 'admin', '--password-stdin'], PASSWORD);
      expect(added, added.err).toMatchObject({ code: 0 });
      expect(added.out).toBe(`added  ${EMAIL}: admin of every instrument, password set\n`);

      const context = await browser.newContext({ bypassCSP: true, viewport: DESKTOP });
      const page: Page = await context.newPage();
      const origin = serve.address;
      const checked: string[] = [];
      async function check(label: string) {
        await expectAccessible(page, label);
        await page.screenshot({ path: join(shots, `${String(checked.length + 1).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
        checked.push(label);
      }
      const heading = () => page.locator('h1').first().innerText();
      const press = async (what: string) => {
        await tabTo(page, what, isControl(what));
        return activate(page);
      };

      try {
        // ---- the workspace sends an unknown visitor to sign in, and back where they were going.
        await page.goto(`${origin}/admin/audit`);
        expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
        await check('the sign-in page');
        await typeInto(page, 'email', EMAIL);
        await typeInto(page, 'password', 'not my password');
        expect(await press('Sign in')).toBe(401);
        await check('the sign-in page after a wrong password');
        await page.fill('#password', '');
        await typeInto(page, 'password', PASSWORD);
        expect(await press('Sign in')).toBe(200);
        expect(new URL(page.url()).pathname).toBe('/admin/audit');
        expect(await page.locator('.tapestry-signed-in').innerText()).toContain(EMAIL);

        // ---- the instruments serve published at start-up
        await page.goto(`${origin}/admin`);
        expect(await heading()).toBe('Instruments');
        await check('the instruments page');

        // ---- a version with a mistake: shown at its line, the text kept
        await page.goto(`${origin}/admin/publish`);
        await check('the publish page');
        await page.fill('#source', instrumentText('choose'));
        expect(await press('Check the instrument')).toBe(400);
        await check('the publish page with problems');
        const flagged = page.locator('.tapestry-source__line--problem');
        expect(await flagged.count()).toBeGreaterThan(0);
        expect(await flagged.first().innerText()).toContain(`${MISTAKE_LINE}`);
        expect(await flagged.first().innerText()).toContain('type: choose');
        expect(await page.locator('.govuk-error-summary').innerText()).toContain(`Line ${MISTAKE_LINE}`);

        // ---- fixed, checked, previewed on the check page, and published
        await page.fill('#source', instrumentText('single'));
        expect(await press('Check the instrument')).toBe(200);
        await check('the check page of a version that passes');
        expect(await page.locator('body').innerText()).toContain('What development would help you most?');
        expect(await press('Publish version 1')).toBe(200);
        expect(new URL(page.url()).pathname).toBe('/admin/instruments/team-check');
        await check('the instrument page');

        // ---- the version's preview: every page, as respondents see it
        await tabTo(page, 'the preview of version 1', (f) => f.tag === 'a' && f.href === '/admin/instruments/team-check/versions/1');
        expect(await activate(page)).toBe(200);
        await check('the preview of a version');
        const preview = await page.locator('main').innerText();
        for (const text of ['Which sector do you work in?', 'Which best describes your role?', 'What development would help you most?']) expect(preview).toContain(text);

        // ---- a wave by invitation, with targets
        await page.goto(`${origin}/admin/instruments/team-check/waves/new`);
        await check('the new wave form');
        await typeInto(page, 'name', '2027');
        await chooseRadio(page, 'access', 'invitation');
        await typeInto(page, 'target-public-senior', '40');
        await typeInto(page, 'target-voluntary-frontline', '25');
        expect(await press('Open the wave')).toBe(200);
        expect(new URL(page.url()).pathname).toBe('/admin/instruments/team-check/waves/2027');
        await check('the wave page');
        const figures = await page.locator('main').innerText();
        expect(figures).toContain('40');
        expect(figures).toContain('25');

        // ---- a personal link, made at the terminal beside the running service
        const invited = await tapestry(env, ['invite', 'team-check', '--wave', '2027', '--count', '1', '--base-url', origin]);
        expect(invited, invited.err).toMatchObject({ code: 0 });
        const link = /http:\/\/\S+\/i\/\S+/.exec(invited.out)![0];
        expect((await fetch(link, { redirect: 'manual' })).status).toBeLessThan(400);

        // ---- the wave's invitations: the link followed, and an invitees file refused at its line
        await page.goto(`${origin}/admin/instruments/team-check/waves/2027`);
        await page.getByRole('link', { name: /^Invitations/ }).click();
        await page.waitForURL(/\/waves\/2027\/invitations$/);
        await check('the invitations page');
        expect(await page.locator('#invitations tbody tr').allInnerTexts()).toEqual([expect.stringContaining('opened')]);
        await page.setInputFiles('#file', { name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from('email,sector\na@example.org,charity\n') });
        expect(await press('Create the invitations and download their links')).toBe(400);
        await check('the invitations page with problems');
        expect(await page.locator('#upload-problems').innerText()).toContain('team.csv:2: column `sector`');

        // ---- the wave's data, downloaded as a zip from its export page
        await page.goto(`${origin}/admin/instruments/team-check/waves/2027`);
        await page.getByRole('link', { name: /^Export the responses/ }).click();
        await page.waitForURL(/\/waves\/2027\/export$/);
        await check('the export page');
        await page.getByLabel('SPSS or PSPP').check();
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the export' }).click()]);
        expect(download.suggestedFilename()).toBe('team-check-2027-spss.zip');
        await page.goto(`${origin}/admin/instruments/team-check/waves/2027`);

        // ---- closed: the respondent's link answers 410
        expect(await press('Close wave 2027 now')).toBe(200);
        expect(await page.locator('h1').innerText()).toContain('closed');
        const respondent = await context.newPage();
        const answered = await respondent.goto(link);
        expect(answered!.status()).toBe(410);
        await respondent.close();

        // ---- the audit log: every step, with who took it
        await page.goto(`${origin}/admin/tokens`);
        await check('the API tokens page');
        await page.getByLabel('What it is for').fill('Nightly export');
        await page.getByLabel('analyst').check();
        expect(await press('Make the token')).toBe(200);
        await check('the API tokens page with a new token');
        expect(await page.locator('#new-token').innerText()).toMatch(/^tap_/);

        await page.goto(`${origin}/admin/audit`);
        await check('the audit log');
        const rows = await page.locator('tbody tr').allInnerTexts();
        const by = (who: string, action: string) => rows.some((row) => row.includes(who) && row.includes(action));
        expect(by('command line', 'account-added')).toBe(true);
        expect(by(EMAIL, 'sign-in-failed') || by(EMAIL, 'sign-in')).toBe(true);
        expect(by(EMAIL, 'published')).toBe(true);
        expect(by(EMAIL, 'exported')).toBe(true);
        expect(by(EMAIL, 'wave-opened')).toBe(true);
        expect(by('command line', 'invitations-created')).toBe(true);
        expect(by(EMAIL, 'wave-closed')).toBe(true);

        // ---- a second version, and what changed since the first
        await page.goto(`${origin}/admin/publish`);
        await page.fill('#source', instrumentText('single', '1.1', 'Senior manager or director'));
        expect(await press('Check the instrument')).toBe(200);
        expect(await press('Publish version 1.1')).toBe(200);
        await page.goto(`${origin}/admin/instruments/team-check/diff?from=1&to=1.1`);
        await check('the comparison of two versions');
        const comparison = await page.locator('main').innerText();
        expect(comparison).toContain('tier');
        expect(comparison).toMatch(/not comparable/i);

        // ---- a colleague's account, and the page where its link sets a password
        await page.goto(`${origin}/admin/accounts`);
        await check('the accounts page');
        await typeInto(page, 'email', 'ben@example.org');
        await chooseRadio(page, 'role', 'viewer');
        expect(await press('Add account')).toBe(200);
        await check('the page showing a new account’s link');
        const setLink = await page.locator('.tapestry-link-text code').innerText();
        const colleague = await browser.newContext({ bypassCSP: true, viewport: DESKTOP });
        const their = await colleague.newPage();
        expect((await their.goto(setLink))!.status()).toBe(200);
        try {
          await expectAccessible(their, 'the set-password page');
          checked.push('the set-password page');
        } finally {
          await colleague.close();
        }

        await page.goto(`${origin}/admin/account`);
        await check('the account page');
      } finally {
        await context.close();
      }
      expect(checked.length).toBeGreaterThanOrEqual(16);
    },
    TIMEOUT,
  );
});
