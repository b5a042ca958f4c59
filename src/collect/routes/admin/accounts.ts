/**
 * `GET /admin/accounts`: who may work in the workspace. An admin manages every account; an owner
 * manages the accounts limited to its own instruments, and may give them no more than it holds
 * (`mayAssign`). Nobody changes or removes their own account here, so that no one locks
 * themselves out or raises their own role; another admin, or `tapestry user`, does that.
 *
 * A new account gets a one-time link to set its password, shown once on the page that follows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessChangedEntry, accountAddedEntry, accountRemovedEntry, describeAccess, passwordLinkEntry } from '../../../store/account-audit.ts';
import { AccountError, createAccount, emailProblem, getAccount, inTransaction, isRole, listAccounts, removeAccount, setAccountAccess, type Account } from '../../../store/accounts.ts';
import { publicOrigin } from '../../plugins/settings.ts';
import { accountActor, appendAudit } from '../../../store/audit.ts';
import { ROLES, type Role } from '../../../store/database.ts';
import { listInstrumentVersions } from '../../../store/instrument-versions.ts';
import { createPasswordToken } from '../../../store/password-tokens.ts';
import { allows, coversInstrument, mayAssign, ROLE_SUMMARIES, type Principal } from '../../authorisation.ts';
import { HttpError } from '../../http-error.ts';
import { field, fieldValues, formOf, problemViews, type FieldProblem } from './forms.ts';
import { forbidden, signedIn } from './index.ts';
import { sentence } from './sign-in.ts';

type AccountParams = { account: string };

/** Whether `actor` may change or remove `target` as it stands. */
export function manages(actor: Principal & { id: number }, target: Account): boolean {
  if (actor.id === target.id) return false;
  if (allows(actor, 'accounts')) return true;
  return target.role !== 'admin' && mayAssign(actor, target.role, target.instruments);
}

const iso = (at: Date) => at.toISOString().replace('.000Z', 'Z');

export async function accountsRoutes(fastify: FastifyInstance) {
  const db = () => fastify.store.db;

  /** The instruments `actor` may hand out, and the roles. */
  async function choices(actor: Account) {
    const all = [...new Set((await listInstrumentVersions(db())).map((v) => v.instrument_id))].sort();
    const instruments = allows(actor, 'accounts') ? all : all.filter((id) => coversInstrument(actor, id));
    const roles = ROLES.filter((role) => allows(actor, 'accounts') || role !== 'admin');
    return { instruments, roles, everyInstrument: allows(actor, 'accounts') };
  }

  async function listPage(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const actor = signedIn(request);
    const now = fastify.now();
    const accounts = (await listAccounts(db()))
      .filter((a) => a.id === actor.id || manages(actor, a))
      .map((a) => ({
        id: a.id,
        email: a.email,
        role: a.role,
        access: describeAccess(a),
        instruments: a.instruments,
        password: a.hasPassword ? 'set' : 'not set yet',
        locked: a.lockedUntil && a.lockedUntil > now ? iso(a.lockedUntil) : undefined,
        self: a.id === actor.id,
      }));
    const offered = await choices(actor);
    const form = (extra.form as { email: string; role: string; instruments: string[] } | undefined) ?? { email: '', role: '', instruments: [] };
    // The GOV.UK macros take items with `checked` set: one list per form on the page.
    const roleItems = (chosen: string) => offered.roles.map((role) => ({ value: role, text: role, hint: { text: ROLE_SUMMARIES[role] }, checked: role === chosen }));
    const instrumentItems = (chosen: readonly string[]) => offered.instruments.map((id) => ({ value: id, text: id, checked: chosen.includes(id) }));
    return {
      title: 'Accounts',
      accounts,
      roleChoices: Object.fromEntries(accounts.map((a) => [a.id, roleItems(a.role)])),
      instrumentItems: Object.fromEntries(accounts.map((a) => [a.id, instrumentItems(a.instruments)])),
      newRoleItems: roleItems(form.role),
      newInstrumentItems: instrumentItems(form.instruments),
      instrumentChoices: offered.instruments,
      everyInstrument: offered.everyInstrument,
      ...extra,
      form,
    };
  }

  fastify.get('/accounts', async (request, reply) => reply.page('admin/accounts.njk', await listPage(request)));

  /** The role and instruments a form asks for, or the problems with them. */
  async function requestedAccess(actor: Account, form: ReturnType<typeof formOf>): Promise<{ role?: Role; instruments: string[]; problems: FieldProblem[] }> {
    const roleText = field(form, 'role');
    const instruments = [...new Set(fieldValues(form, 'instruments'))].sort();
    const problems: FieldProblem[] = [];
    const offered = await choices(actor);
    if (!isRole(roleText)) problems.push({ field: 'role', message: 'Choose a role' });
    const unknown = instruments.filter((id) => !offered.instruments.includes(id));
    if (unknown.length > 0) problems.push({ field: 'instruments', message: `Choose only instruments listed (${unknown.join(', ')} is not one of them)` });
    if (instruments.length === 0 && !offered.everyInstrument) problems.push({ field: 'instruments', message: 'Choose at least one instrument' });
    if (roleText === 'admin' && instruments.length > 0) problems.push({ field: 'instruments', message: 'An admin works on every instrument: leave the instruments unticked' });
    return { role: isRole(roleText) ? roleText : undefined, instruments, problems };
  }

  fastify.post('/accounts', async (request, reply) => {
    const actor = signedIn(request);
    const form = formOf(request.body);
    const email = field(form, 'email');
    const { role, instruments, problems } = await requestedAccess(actor, form);
    const emailWrong = emailProblem(email);
    if (emailWrong) problems.unshift({ field: 'email', message: sentence(emailWrong) });
    const kept = { form: { email, role: field(form, 'role'), instruments } };
    if (problems.length > 0 || !role) return reply.code(400).page('admin/accounts.njk', await listPage(request, { ...kept, ...problemViews(problems) }));
    if (!mayAssign(actor, role, instruments)) throw forbidden(actor);
    const now = fastify.now();
    let added: { account: Account; link: { token: string; expiresAt: Date } };
    try {
      added = await inTransaction(db(), async (trx) => {
        const account = await createAccount(trx, { email, role, instruments, now });
        const link = await createPasswordToken(trx, account.id, now);
        await appendAudit(trx, accountAddedEntry(accountActor(actor, request.ip), now, account, 'link'));
        return { account, link };
      });
    } catch (error) {
      if (error instanceof AccountError) return reply.code(400).page('admin/accounts.njk', await listPage(request, { ...kept, ...problemViews([{ field: 'email', message: sentence(error.message) }]) }));
      throw error;
    }
    return reply.page('admin/account-link.njk', linkPage(request, added.account, added.link, 'Account added'));
  });

  /** The account the address names, if `actor` may manage it; 404 or 403 otherwise. */
  async function managed(request: FastifyRequest<{ Params: AccountParams }>): Promise<{ actor: Account; target: Account }> {
    const actor = signedIn(request);
    const id = /^[1-9]\d{0,9}$/.test(request.params.account) ? Number(request.params.account) : undefined;
    const target = id === undefined ? undefined : await getAccount(db(), id);
    if (!target) throw new HttpError(404, 'Account not found', 'There is no such account. It may have been removed.', { href: '/admin/accounts', text: 'Go to the accounts' });
    if (target.id === actor.id) throw new HttpError(403, 'You cannot change your own account here', 'Ask another admin to change your role or remove your account. You can change your password on your account page.', { href: '/admin/account', text: 'Go to your account' });
    if (!manages(actor, target)) throw forbidden(actor);
    return { actor, target };
  }

  fastify.post<{ Params: AccountParams }>('/accounts/:account/access', async (request, reply) => {
    const { actor, target } = await managed(request);
    const { role, instruments, problems } = await requestedAccess(actor, formOf(request.body));
    if (problems.length > 0 || !role) {
      const labelled = problems.map((p) => ({ ...p, message: `${target.email}: ${p.message}`, field: `${p.field}-${target.id}` }));
      return reply.code(400).page('admin/accounts.njk', await listPage(request, { open: target.id, ...problemViews(labelled) }));
    }
    if (!mayAssign(actor, role, instruments)) throw forbidden(actor);
    const now = fastify.now();
    try {
      await inTransaction(db(), async (trx) => {
        const { before, after } = await setAccountAccess(trx, target.id, { role, instruments });
        if (describeAccess(before) !== describeAccess(after)) await appendAudit(trx, accessChangedEntry(accountActor(actor, request.ip), now, before, after));
      });
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      return reply.code(400).page('admin/accounts.njk', await listPage(request, { open: target.id, ...problemViews([{ field: `role-${target.id}`, message: sentence(error.message) }]) }));
    }
    return reply.redirect('/admin/accounts', 303);
  });

  fastify.post<{ Params: AccountParams }>('/accounts/:account/remove', async (request, reply) => {
    const { actor, target } = await managed(request);
    const now = fastify.now();
    try {
      await inTransaction(db(), async (trx) => {
        const removed = await removeAccount(trx, target.id);
        await appendAudit(trx, accountRemovedEntry(accountActor(actor, request.ip), now, removed));
      });
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      return reply.code(400).page('admin/accounts.njk', await listPage(request, { open: target.id, ...problemViews([{ field: `role-${target.id}`, message: sentence(error.message) }]) }));
    }
    return reply.redirect('/admin/accounts', 303);
  });

  fastify.post<{ Params: AccountParams }>('/accounts/:account/password-link', async (request, reply) => {
    const { actor, target } = await managed(request);
    const now = fastify.now();
    const link = await inTransaction(db(), async (trx) => {
      const made = await createPasswordToken(trx, target.id, now);
      await appendAudit(trx, passwordLinkEntry(accountActor(actor, request.ip), now, target));
      return made;
    });
    return reply.page('admin/account-link.njk', linkPage(request, target, link, 'New password link'));
  });
}

function linkPage(request: FastifyRequest, account: Account, link: { token: string; expiresAt: Date }, title: string) {
  const base = publicOrigin(request);
  return { title, email: account.email, access: describeAccess(account), link: `${base}/admin/set-password/${link.token}`, expires: iso(link.expiresAt) };
}
