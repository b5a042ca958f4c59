/**
 * `/admin/tokens`: tokens for the JSON API, as `tapestry token` makes them — each with a role on
 * every instrument or on some, an optional lifetime, shown once when made and stored only as a
 * hash; revocable. Admins only (`accounts`): a token acts without a person behind it, so who may
 * make one is as narrow as who may make accounts. The store functions write the audit rows.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { durationMs } from '../../../shared/duration.ts';
import { describeAccess } from '../../../store/account-audit.ts';
import { isRole } from '../../../store/accounts.ts';
import { ApiTokenError, createApiToken, listApiTokens, revokeApiToken, type ApiToken } from '../../../store/api-tokens.ts';
import { accountActor } from '../../../store/audit.ts';
import { ROLES } from '../../../store/database.ts';
import { listInstrumentVersions } from '../../../store/instrument-versions.ts';
import { ROLE_SUMMARIES } from '../../authorisation.ts';
import { HttpError } from '../../http-error.ts';
import { field, fieldValues, formOf, problemViews, type FieldProblem } from './forms.ts';
import { signedIn } from './index.ts';
import { sentence } from './sign-in.ts';

const iso = (at: Date | null) => (at === null ? '' : at.toISOString().replace('.000Z', 'Z'));
const MAX_NAME = 100;

interface TokenForm {
  name: string;
  role: string;
  instruments: string[];
  expires: string;
}

export async function tokenRoutes(fastify: FastifyInstance) {
  const db = () => fastify.store.db;

  function stateOf(token: ApiToken, now: Date): string {
    if (token.revokedAt) return `revoked ${iso(token.revokedAt)}`;
    if (token.expiresAt && token.expiresAt <= now) return `expired ${iso(token.expiresAt)}`;
    return 'active';
  }

  async function tokensPage(request: FastifyRequest, reply: FastifyReply, extra: { form?: TokenForm; problems?: FieldProblem[]; made?: { id: number; token: string; access: string }; revoked?: number } = {}) {
    signedIn(request);
    const now = fastify.now();
    const instruments = [...new Set((await listInstrumentVersions(db())).map((v) => v.instrument_id))].sort();
    const form = extra.form ?? { name: '', role: '', instruments: [], expires: '' };
    const { errors, errorsByField } = problemViews(extra.problems ?? []);
    // A token is shown only in the answer that made it: no cache on the way may keep it.
    if (extra.made) reply.header('cache-control', 'no-store');
    return reply.page('admin/tokens.njk', {
      title: 'API tokens',
      tokens: (await listApiTokens(db())).map((t) => ({ id: t.id, name: t.name, access: describeAccess(t), state: stateOf(t, now), active: stateOf(t, now) === 'active', expires: iso(t.expiresAt), used: iso(t.lastUsedAt), by: t.createdBy })),
      roles: ROLES.map((role) => ({ value: role, text: role, hint: { text: ROLE_SUMMARIES[role] }, checked: form.role === role })),
      instruments: instruments.map((id) => ({ value: id, text: id, checked: form.instruments.includes(id) })),
      form,
      made: extra.made,
      revoked: extra.revoked,
      errors,
      errorsByField,
    });
  }

  fastify.get<{ Querystring: { revoked?: string } }>('/tokens', (request, reply) => {
    const revoked = /^\d{1,9}$/.test(request.query?.revoked ?? '') ? Number(request.query.revoked) : undefined;
    return tokensPage(request, reply, { revoked });
  });

  fastify.post('/tokens', async (request, reply) => {
    const account = signedIn(request);
    const body = formOf(request.body);
    const form: TokenForm = { name: field(body, 'name').trim(), role: field(body, 'role'), instruments: fieldValues(body, 'instruments'), expires: field(body, 'expires').trim() };
    const problems: FieldProblem[] = [];
    if (form.name === '') problems.push({ field: 'name', message: 'Enter what the token is for' });
    else if (form.name.length > MAX_NAME) problems.push({ field: 'name', message: `The name must be ${MAX_NAME} characters or fewer` });
    if (!isRole(form.role)) problems.push({ field: 'role', message: 'Select the role the token acts with' });
    const known = new Set((await listInstrumentVersions(db())).map((v) => v.instrument_id));
    if (form.instruments.some((id) => !known.has(id))) problems.push({ field: 'instruments', message: 'Select instruments from the list' });
    else if (form.role === 'admin' && form.instruments.length > 0) problems.push({ field: 'instruments', message: 'An admin token covers every instrument: tick none, or choose another role' });
    const lifetime = form.expires === '' ? null : durationMs(form.expires);
    if (lifetime === undefined || lifetime === 0) problems.push({ field: 'expires', message: 'Enter how long the token works as a whole number and a unit, m, h, d or w (for example 90d), or leave it empty' });
    if (problems.length > 0) return tokensPage(request, reply.code(400), { form, problems });
    const now = fastify.now();
    try {
      const made = await createApiToken(db(), accountActor(account, request.ip), now, {
        name: form.name,
        role: form.role as ApiToken['role'],
        instruments: form.instruments,
        expiresAt: lifetime === null || lifetime === undefined ? null : new Date(now.getTime() + lifetime),
      });
      return tokensPage(request, reply, { made: { id: made.row.id, token: made.token, access: describeAccess(made.row) } });
    } catch (error) {
      if (error instanceof ApiTokenError) return tokensPage(request, reply.code(400), { form, problems: [{ field: 'name', message: sentence(error.message) }] });
      throw error;
    }
  });

  fastify.post<{ Params: { token: string } }>('/tokens/:token/revoke', async (request, reply) => {
    const account = signedIn(request);
    const id = /^\d{1,9}$/.test(request.params.token) ? Number(request.params.token) : undefined;
    const back = { href: '/admin/tokens', text: 'Go to the API tokens' };
    if (id === undefined) throw new HttpError(404, 'Page not found', 'There is no such API token.', back);
    try {
      await revokeApiToken(db(), accountActor(account, request.ip), fastify.now(), id);
    } catch (error) {
      if (error instanceof ApiTokenError) throw new HttpError(error.message.includes('already') ? 409 : 404, 'This token cannot be revoked', sentence(error.message), back);
      throw error;
    }
    return reply.redirect(`/admin/tokens?revoked=${id}`, 303);
  });
}
