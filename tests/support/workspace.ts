/**
 * The workspace under test: the survey service with the bundled instruments (see survey-app.ts),
 * accounts made straight in the store, and browsers signed in to it through the real sign-in form.
 */
import { createAccount, setPassword, type Account } from '../../src/store/accounts.ts';
import type { Role } from '../../src/store/database.ts';
import { Browser, type Page } from './browser.ts';
import { startSurveyApp, type SurveyApp } from './survey-app.ts';

export const PASSWORD = 'correct horse battery staple';

export interface Workspace extends SurveyApp {
  /** An account with `PASSWORD`, limited to `instruments` when given. */
  addAccount(email: string, role: Role, instruments?: string[]): Promise<Account>;
  /** A browser signed in as `email`. */
  signIn(email: string, password?: string): Promise<Browser>;
}

export async function startWorkspace(options: Parameters<typeof startSurveyApp>[0] = {}): Promise<Workspace> {
  const survey = await startSurveyApp(options);
  const workspace = survey as Workspace;
  workspace.addAccount = async (email, role, instruments = []) => {
    const account = await createAccount(survey.store.db, { email, role, instruments, now: survey.clock.now });
    return setPassword(survey.store.db, account.id, PASSWORD, survey.clock.now);
  };
  workspace.signIn = async (email, password = PASSWORD) => {
    const browser = new Browser(survey.app);
    const page = await browser.get('/admin/sign-in');
    const signedIn = await browser.post('/admin/sign-in', [
      ['_csrf', csrfOf(page)],
      ['email', email],
      ['password', password],
    ]);
    if (signedIn.status !== 303 || signedIn.location !== '/admin') throw new Error(`signing in as ${email} answered ${signedIn.status}: ${signedIn.$('.govuk-error-summary').text().trim()}`);
    return browser;
  };
  return workspace;
}

/** The CSRF token of the first form on a page. */
export function csrfOf(page: Page): string {
  const token = page.$('input[name=_csrf]').first().attr('value');
  if (!token) throw new Error(`${page.url} has no form with a CSRF token`);
  return token;
}
