/**
 * Signing in and out, and setting a password from a one-time link. A failed sign-in says the
 * same whatever went wrong (see `checkSignIn`), so the page tells nobody which addresses have
 * accounts; attempts are limited per client here and per account in the store.
 */
import type { FastifyInstance } from 'fastify';
import { AccountError, checkSignIn, LOCKOUT_MS, MAX_FAILED_SIGN_INS, normaliseEmail } from '../../../store/accounts.ts';
import { accountActor, appendAudit } from '../../../store/audit.ts';
import { findPasswordToken, setPasswordWithToken } from '../../../store/password-tokens.ts';
import { PASSWORD_MIN_LENGTH } from '../../../store/passwords.ts';
import { HttpError } from '../../http-error.ts';
import { field, formOf, problemViews, safeNext } from './forms.ts';

const REFUSED = 'Enter the e-mail address and password of your workspace account. Either the address or the password is not right, or the account is locked for a while.';

const signInLimit = (fastify: FastifyInstance) => ({
  rateLimit: {
    max: fastify.settings.signInsPerMinute,
    timeWindow: '1 minute',
    errorResponseBuilder: () => new HttpError(429, 'Please wait a minute', 'There have been many attempts to sign in from your network in the last minute. Wait a minute, then try again.'),
  },
});

const LINK_GONE = new HttpError(404, 'This link has expired', 'The link to set a password works once, for 24 hours. Ask an admin for a new one.');

export async function signInRoutes(fastify: FastifyInstance) {
  const signInPage = { title: 'Sign in to the workspace', maxFailures: MAX_FAILED_SIGN_INS, lockoutMinutes: LOCKOUT_MS / 60_000 };

  fastify.get<{ Querystring: { next?: string; 'signed-out'?: string } }>('/sign-in', async (request, reply) => {
    if (request.account) return reply.redirect(safeNext(request.query.next ?? '/admin'), 303);
    return reply.page('admin/sign-in.njk', { ...signInPage, next: request.query.next ? safeNext(request.query.next) : undefined, signedOut: request.query['signed-out'] === '1' });
  });

  fastify.post('/sign-in', { config: signInLimit(fastify) }, async (request, reply) => {
    const form = formOf(request.body);
    const email = field(form, 'email');
    const password = field(form, 'password');
    const next = safeNext(field(form, 'next') || '/admin');
    const missing = [
      ...(email.trim() === '' ? [{ field: 'email', message: 'Enter your e-mail address' }] : []),
      ...(password === '' ? [{ field: 'password', message: 'Enter your password' }] : []),
    ];
    if (missing.length > 0) return reply.code(400).page('admin/sign-in.njk', { ...signInPage, email, next, ...problemViews(missing) });
    const now = fastify.now();
    const result = await checkSignIn(fastify.store.db, email, password, now);
    if (!result.ok) {
      // Who tried is what they typed, bounded: there may be no such account to name.
      await appendAudit(fastify.store.db, {
        actor: normaliseEmail(email).slice(0, 254),
        actorAccountId: null,
        address: request.ip,
        at: now,
        action: 'sign-in-failed',
        summary: 'sign-in refused',
      });
      return reply.code(401).page('admin/sign-in.njk', { ...signInPage, email, next, ...problemViews([{ field: 'email', message: REFUSED }]) });
    }
    await reply.startSession(result.account);
    await appendAudit(fastify.store.db, { ...accountActor(result.account, request.ip), at: now, action: 'sign-in', summary: `signed in as ${result.account.role}` });
    return reply.redirect(next, 303);
  });

  fastify.post('/sign-out', async (request, reply) => {
    const account = request.account!;
    await reply.endSession();
    await appendAudit(fastify.store.db, { ...accountActor(account, request.ip), at: fastify.now(), action: 'sign-out', summary: 'signed out' });
    return reply.redirect('/admin/sign-in?signed-out=1', 303);
  });

  const passwordPage = (email: string) => ({ title: 'Set your password', email, minLength: PASSWORD_MIN_LENGTH });

  fastify.get<{ Params: { token: string } }>('/set-password/:token', async (request, reply) => {
    const account = await findPasswordToken(fastify.store.db, request.params.token, fastify.now());
    if (!account) throw LINK_GONE;
    return reply.page('admin/set-password.njk', { ...passwordPage(account.email), action: request.url });
  });

  fastify.post<{ Params: { token: string } }>('/set-password/:token', async (request, reply) => {
    const form = formOf(request.body);
    const password = field(form, 'password');
    const confirm = field(form, 'confirm');
    const now = fastify.now();
    const account = await findPasswordToken(fastify.store.db, request.params.token, now);
    if (!account) throw LINK_GONE;
    const show = (problems: { field: string; message: string }[]) =>
      reply.code(400).page('admin/set-password.njk', { ...passwordPage(account.email), action: request.url, ...problemViews(problems) });
    if (password === '') return show([{ field: 'password', message: 'Enter a password' }]);
    if (password !== confirm) return show([{ field: 'confirm', message: 'The two passwords are not the same' }]);
    let changed;
    try {
      changed = await setPasswordWithToken(fastify.store.db, request.params.token, password, now);
    } catch (error) {
      if (error instanceof AccountError) return show([{ field: 'password', message: sentence(error.message) }]);
      throw error;
    }
    if (!changed) throw LINK_GONE;
    await appendAudit(fastify.store.db, { ...accountActor(changed, request.ip), at: now, action: 'password-set', summary: 'set a password from a one-time link' });
    await reply.startSession(changed);
    return reply.redirect('/admin', 303);
  });
}

/** The store's messages start in lower case, to follow a field's name; a page shows them alone. */
export function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
