/**
 * The researchers' workspace under /admin: an area of its own, with one hook that decides every
 * request before any handler runs.
 *
 * The hook, in order: find the route's rule (none → 403, whoever asks); nobody signed in on a
 * route that needs someone → to the sign-in page; a form without its CSRF token → refused; a role
 * that does not grant the rule's permission, on the instrument the address names → 403. Handlers
 * that act on something the address does not name (an uploaded instrument, another account)
 * check that too, with `requirePermission`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../../store/accounts.ts';
import { allows, type Permission } from '../../authorisation.ts';
import { HttpError } from '../../http-error.ts';
import { ruleFor } from './rules.ts';
import { accountRoutes } from './account.ts';
import { accountsRoutes } from './accounts.ts';
import { auditRoutes } from './audit.ts';
import { homeRoutes } from './home.ts';
import { instrumentRoutes } from './instruments.ts';
import { exportRoutes } from './exports.ts';
import { tokenRoutes } from './tokens.ts';
import { invitationRoutes } from './invitations.ts';
import { navigation } from './navigation.ts';
import { publishRoutes } from './publish.ts';
import { signInRoutes } from './sign-in.ts';
import { waveRoutes } from './waves.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a workspace page, with the signed-in account, its navigation and a CSRF token. */
    page(template: string, context: Record<string, unknown>): Promise<FastifyReply>;
  }
}

export const SIGN_IN_PATH = '/admin/sign-in';

/** The account on a route the hook has let through as needing one. */
export function signedIn(request: FastifyRequest): Account {
  if (!request.account) throw new Error(`${request.url} was reached with nobody signed in: its rule should have sent them to sign in`);
  return request.account;
}

/** Refuses with 403 unless the signed-in account holds `permission` (on `instrumentId`, when given). */
export function requirePermission(request: FastifyRequest, permission: Permission, instrumentId?: string): Account {
  const account = signedIn(request);
  if (!allows(account, permission, instrumentId)) throw forbidden(account, instrumentId);
  return account;
}

export function forbidden(account: Account, instrumentId?: string): HttpError {
  const where = instrumentId ? ` on ${instrumentId}` : '';
  return new HttpError(403, 'You cannot do this', `Your account (${account.email}, ${account.role}) does not allow this${where}. Ask an admin or the instrument's owner if you need it.`, {
    href: '/admin',
    text: 'Go to the workspace',
  });
}

/** Runs @fastify/csrf-protection's check from inside a hook. */
function checkCsrf(fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  return new Promise((resolve, reject) => {
    fastify.csrfProtection.call(fastify, request, reply, (error?: Error) => (error ? reject(error) : resolve()));
  });
}

export async function adminRoutes(fastify: FastifyInstance) {
  fastify.addHook('onRequest', async (request) => {
    await fastify.authenticate(request);
  });

  // preValidation: after the form is parsed, so that its CSRF token can be read, and before any handler.
  fastify.addHook('preValidation', async (request, reply) => {
    const rule = ruleFor(request.method, request.routeOptions.url);
    if (rule === undefined) {
      request.log.error({ method: request.method, url: request.routeOptions.url }, 'workspace route without an authorisation rule');
      throw new HttpError(403, 'You cannot do this', 'This page has no rule saying who may use it, so nobody may.');
    }
    if (rule !== 'anyone' && !request.account) {
      const back = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`${SIGN_IN_PATH}${back}`, 303);
    }
    if (request.method === 'POST') await checkCsrf(fastify, request, reply);
    if (rule === 'anyone' || rule === 'signed-in') return;
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    requirePermission(request, rule, params.instrument);
  });

  fastify.decorateReply('page', async function page(this: FastifyReply, template: string, context: Record<string, unknown>) {
    const account = this.request.account;
    return this.render(template, {
      account,
      navigation: account ? navigation(account, this.request.url) : [],
      csrf: await this.generateCsrf(),
      ...context,
    });
  });

  await fastify.register(signInRoutes);
  await fastify.register(homeRoutes);
  await fastify.register(accountRoutes);
  await fastify.register(instrumentRoutes);
  await fastify.register(publishRoutes);
  await fastify.register(waveRoutes);
  await fastify.register(invitationRoutes);
  await fastify.register(exportRoutes);
  await fastify.register(accountsRoutes);
  await fastify.register(auditRoutes);
  await fastify.register(tokenRoutes);
}
