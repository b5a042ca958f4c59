/**
 * Who is signed in to the workspace: `request.account` (null for nobody), read from the session
 * cookie by the `authenticate` hook an area adds, and `reply.startSession` / `reply.endSession`
 * for signing in and out.
 *
 * Decisions, and why:
 * - The cookie holds a random token and the database only its hash (see store/sessions.ts), so
 *   sessions are revocable, expire on the server, and a copy of the table signs nobody in. Nothing
 *   is kept in process memory, so any instance can serve any request.
 * - The cookie is `HttpOnly`, `SameSite=Strict` and scoped to `/admin`: no script reads it, no
 *   other site's link or form sends it, and respondents' requests never carry it. It is `Secure`
 *   whenever the request came over HTTPS (or always, when the service is told so).
 * - Signing in replaces any session the browser had, so a session id planted before sign-in is
 *   worth nothing after it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Account } from '../../store/accounts.ts';
import { createSession, findSession, revokeSession, type Session } from '../../store/sessions.ts';

export const SESSION_COOKIE = 'tapestry_admin';
const COOKIE_PATH = '/admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in account, as it is now in the database; null when nobody is signed in. */
    account: Account | null;
    session: Session | null;
  }
  interface FastifyReply {
    /** Signs `account` in: a new session, its cookie set on this reply. */
    startSession(account: Account): Promise<void>;
    /** Signs out: the session revoked and its cookie cleared. */
    endSession(): Promise<void>;
  }
  interface FastifyInstance {
    /** An onRequest hook that sets `request.account` from the session cookie. */
    authenticate(request: FastifyRequest): Promise<void>;
  }
}

export const auth = fp(
  async function authPlugin(fastify: FastifyInstance) {
    fastify.decorateRequest('account', null);
    fastify.decorateRequest('session', null);

    fastify.decorate('authenticate', async function authenticate(request: FastifyRequest) {
      const token = request.cookies[SESSION_COOKIE];
      if (!token) return;
      const found = await findSession(fastify.store.db, token, fastify.now());
      if (!found) return;
      request.account = found.account;
      request.session = found.session;
    });

    fastify.decorateReply('startSession', async function startSession(this: FastifyReply, account: Account) {
      const previous = this.request.cookies[SESSION_COOKIE];
      const now = fastify.now();
      if (previous) await revokeSession(fastify.store.db, previous, now);
      const { token } = await createSession(fastify.store.db, {
        accountId: account.id,
        now,
        address: this.request.ip,
        userAgent: this.request.headers['user-agent'] ?? null,
      });
      this.setCookie(SESSION_COOKIE, token, { path: COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: fastify.settings.secureCookies });
    });

    fastify.decorateReply('endSession', async function endSession(this: FastifyReply) {
      const token = this.request.cookies[SESSION_COOKIE];
      if (token) await revokeSession(fastify.store.db, token, fastify.now());
      this.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: fastify.settings.secureCookies });
    });
  },
  { name: 'tapestry-auth', fastify: '5.x', dependencies: ['tapestry-settings', 'tapestry-store', 'tapestry-external'] },
);
