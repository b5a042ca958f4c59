/**
 * The process around the app: a Fastify instance with limits and timeouts, listening on PORT,
 * closing with grace on SIGINT/SIGTERM (in-flight requests finish, then the database closes).
 */
import closeWithGrace from 'close-with-grace';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Store } from '../store/open.ts';
import { cookieSecret } from '../store/settings.ts';
import { app, type AppOptions } from './app.ts';

export interface ServerOptions extends Partial<AppOptions> {
  store: Store;
  logger?: boolean;
  /** Largest request body accepted; bigger ones get a 413. */
  bodyLimit?: number;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: options.logger ? { level: 'info' } : false,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    // A respondent on a slow connection still gets 30 s to send a page; a stalled one is dropped.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    trustProxy: process.env.TRUST_PROXY === '1',
    return503OnClosing: true,
  });
  await fastify.register(app, { ...options, secret: options.secret ?? (await cookieSecret(options.store.db)) });
  return fastify;
}

/** Listens; `closed` resolves once a signal has closed the server (in-flight requests done). */
export async function serve(server: FastifyInstance, port: number, host: string): Promise<{ address: string; closed: Promise<void> }> {
  const address = await server.listen({ port, host });
  const closed = new Promise<void>((resolve) => {
    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) server.log.error({ err }, 'closing after an error');
      else server.log.info(`${signal}: closing`);
      await server.close();
      resolve();
    });
  });
  return { address, closed };
}
