/**
 * `GET /admin/account`: the signed-in account, and changing its password. A new password ends
 * every session of the account, this one included, and signs this browser in again, so that a
 * password changed because it leaked also puts out whoever used it.
 */
import type { FastifyInstance } from 'fastify';
import { AccountError, checkSignIn, setPassword } from '../../../store/accounts.ts';
import { accountActor, appendAudit } from '../../../store/audit.ts';
import { PASSWORD_MIN_LENGTH } from '../../../store/passwords.ts';
import { ROLE_SUMMARIES } from '../../authorisation.ts';
import { field, formOf, problemViews, type FieldProblem } from './forms.ts';
import { signedIn } from './index.ts';
import { sentence } from './sign-in.ts';

export async function accountRoutes(fastify: FastifyInstance) {
  const show = (request: Parameters<typeof signedIn>[0], extra: Record<string, unknown> = {}) => {
    const account = signedIn(request);
    return {
      title: 'Your account',
      roleSummary: ROLE_SUMMARIES[account.role],
      minLength: PASSWORD_MIN_LENGTH,
      session: request.session,
      ...extra,
    };
  };

  fastify.get<{ Querystring: { changed?: string } }>('/account', async (request, reply) =>
    reply.page('admin/account.njk', show(request, { changed: request.query.changed === '1' })),
  );

  fastify.post('/account/password', async (request, reply) => {
    const account = signedIn(request);
    const form = formOf(request.body);
    const current = field(form, 'current');
    const password = field(form, 'password');
    const confirm = field(form, 'confirm');
    const now = fastify.now();
    const refuse = (problems: FieldProblem[]) => reply.code(400).page('admin/account.njk', show(request, problemViews(problems)));
    if (current === '') return refuse([{ field: 'current', message: 'Enter your current password' }]);
    if (password === '') return refuse([{ field: 'password', message: 'Enter a new password' }]);
    if (password !== confirm) return refuse([{ field: 'confirm', message: 'The two new passwords are not the same' }]);
    // The current password is asked for so that a browser left signed in cannot be taken over;
    // a wrong one counts towards the account's lockout like any other.
    const check = await checkSignIn(fastify.store.db, account.email, current, now);
    if (!check.ok) return refuse([{ field: 'current', message: 'Your current password is not right' }]);
    try {
      await setPassword(fastify.store.db, account.id, password, now);
    } catch (error) {
      if (error instanceof AccountError) return refuse([{ field: 'password', message: sentence(error.message) }]);
      throw error;
    }
    await appendAudit(fastify.store.db, { ...accountActor(account, request.ip), at: now, action: 'password-set', summary: 'changed their password; every session of the account was ended' });
    await reply.startSession(account);
    return reply.redirect('/admin/account?changed=1', 303);
  });
}
