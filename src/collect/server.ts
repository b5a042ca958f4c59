/**
 * The process around the app: a Fastify instance with limits and timeouts, listening on PORT,
 * closing with grace on SIGINT/SIGTERM (in-flight requests finish, then the database closes).
 */
import { isIP } from 'node:net';
import closeWithGrace from 'close-with-grace';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DatabaseTimeouts, Store } from '../store/open.ts';
import { cookieSecret } from '../store/settings.ts';
import { app, type AppOptions } from './app.ts';
import { HttpError } from './http-error.ts';

export interface ServerOptions extends Partial<AppOptions> {
  store: Store;
  logger?: boolean;
  /** Largest request body accepted; bigger ones get a 413. */
  bodyLimit?: number;
  /** Which proxies' X-Forwarded-* headers to believe (see `trustProxySetting`); none by default. */
  trustProxy?: TrustProxy;
}

/**
 * How long the service waits for PostgreSQL: a request that cannot get an answer within these
 * gets a 503 rather than hanging, well inside the 30 s a respondent's browser is given.
 */
export const SERVICE_TIMEOUTS: DatabaseTimeouts = { connectMs: 3_000, statementMs: 5_000, idleInTransactionMs: 10_000 };

/** Proxies to trust: none, a number of hops in front of the service, or the proxies' addresses. */
export type TrustProxy = false | string[] | ((address: string, hop: number) => boolean);

/**
 * TRUST_PROXY as Fastify takes it. Trusting every hop would let a client choose its own address
 * by sending an X-Forwarded-For of its own, and so escape the per-client limits. Fastify refuses
 * a bare hop count, since it cannot check who is connecting; a count here trusts that many hops
 * nearest the service, which is right only when nothing but the proxies can reach it (as when
 * it listens on 127.0.0.1, the default).
 */
export function trustProxySetting(text: string | undefined): TrustProxy {
  const value = text?.trim() ?? '';
  if (value === '' || value === '0') return false;
  if (/^\d{1,2}$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    throw new Error(
      `TRUST_PROXY must be a number of proxies (e.g. 1) or a comma-separated list of their addresses (e.g. 10.0.0.5,192.168.0.0/16), ` +
        `not ${JSON.stringify(text)}: ${bad.map((entry) => JSON.stringify(entry)).join(', ')} is not an address or a CIDR range`,
    );
  }
  return entries;
}

/** An IP address, a CIDR range, or one of the names proxy-addr knows. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: options.logger ? { level: 'info' } : false,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    // A respondent on a slow connection still gets 30 s to send a page; a stalled one is dropped.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    // Compiling the stylesheet and templates takes seconds on a busy machine: past Fastify's 10 s
    // default, the service would refuse to start at all.
    pluginTimeout: 120_000,
    trustProxy: options.trustProxy ?? false,
    // Fastify's own 503 while closing is JSON; the hook below gives respondents the error page.
    return503OnClosing: false,
  });
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new HttpError(503, 'Sorry, the service is unavailable', 'The survey is restarting and could not take this request. Try again in a minute.');
  });
  await fastify.register(app, { ...options, secret: options.secret ?? (await cookieSecret(options.store.db)) });
  return fastify;
}

/**
 * Listens; `closed` resolves once a signal has closed the server and then the store. close-with-grace
 * exits the process as soon as its callback returns, so the store must be closed inside it: an
 * embedded database closed anywhere later would be left unflushed, with its lock held.
 */
export async function serve(server: FastifyInstance, store: Store, port: number, host: string): Promise<{ address: string; closed: Promise<void> }> {
  const address = await server.listen({ port, host });
  const closed = new Promise<void>((resolve) => {
    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) server.log.error({ err }, 'closing after an error');
      else server.log.info(`${signal}: closing`);
      try {
        await server.close();
      } finally {
        await store.close();
        resolve();
      }
    });
  });
  return { address, closed };
}
