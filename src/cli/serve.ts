/** `tapestry serve`: the survey service, on the embedded database or DATABASE_URL. */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildServer, serve, SERVICE_TIMEOUTS, trustProxySetting, type TrustProxy } from '../collect/server.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { StoreLogger } from '../store/open.ts';
import { MailConfigError, mailConfigFromEnv } from '../mail/config.ts';
import type { MailSenderOptions } from '../collect/plugins/mail-sender.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { BUNDLED_SURVEYS, openWaves, publishAll } from './publish.ts';
import { loadInstruments } from './survey.ts';

export function serveCommand(program: Command, io: Io): void {
  program
    .command('serve')
    .description('publish the bundled instruments, make sure each has an open wave, and serve the surveys')
    .option('--port <port>', 'port to listen on (default PORT or 3000)')
    .option('--host <host>', 'address to listen on (default HOST or 127.0.0.1)')
    .option('--surveys <dir>', 'instruments to publish first', BUNDLED_SURVEYS)
    .option('--secure-cookies', 'mark every cookie Secure (default SECURE_COOKIES=1; without it, only cookies of requests that came over HTTPS)')
    .action(async (opts: { port?: string; host?: string; surveys: string; secureCookies?: boolean }) => {
      const port = Number(opts.port ?? io.env.PORT ?? 3000);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number, not ${opts.port ?? io.env.PORT}`);
      const host = opts.host ?? io.env.HOST ?? '127.0.0.1';
      const secureCookies = opts.secureCookies === true || io.env.SECURE_COOKIES === '1';
      let trustProxy: TrustProxy;
      try {
        trustProxy = trustProxySetting(io.env.TRUST_PROXY);
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      const redisUrl = io.env.REDIS_URL || undefined;
      if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new UserError(`REDIS_URL must be a redis:// or rediss:// address, not ${JSON.stringify(redisUrl)}`);
      // A count of hops believes whoever connects; that is safe only when nothing but the proxies can.
      if (/^\s*[1-9]\d?\s*$/.test(io.env.TRUST_PROXY ?? '') && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
        throw new UserError(`TRUST_PROXY=${io.env.TRUST_PROXY!.trim()} trusts any client that connects, and the service listens on ${host}: list the proxies' addresses instead (e.g. TRUST_PROXY=10.0.0.5), or listen on 127.0.0.1 behind them`);
      }
      const baseUrl = io.env.BASE_URL?.trim() || undefined;
      if (baseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(baseUrl)) throw new UserError(`BASE_URL must be an http or https address such as https://survey.example.org, not ${JSON.stringify(baseUrl)}`);
      const mail = mailSenderSettings(io.env, port);
      const loaded = await loadInstruments(io, [opts.surveys]);
      // The store is opened before the server exists; what it has to report goes to the server's
      // log once there is one.
      let server: FastifyInstance | undefined;
      const logger: StoreLogger = { warn: (details, message) => server?.log.warn(details, message) };
      await withStore(
        io,
        program.opts(),
        async (store) => {
          await migrateToLatest(store);
          const rows = await publishAll(io, store, loaded);
          await openWaves(io, store, rows, String(io.now().getUTCFullYear()));
          server = await buildServer({ store, logger: io.env.LOG !== '0', trustProxy, secureCookies, redisUrl, mail, baseUrl });
          // From here on, commands such as `tapestry wave` or `publish` go through this process.
          await store.share();
          // The server closes itself and then the store with grace on a signal.
          const { address, closed } = await serve(server, store, port, host);
          io.out(`serving surveys at ${address.replace('127.0.0.1', 'localhost')}\n`);
          if (mail) io.out(`sending queued e-mail through ${new URL(mail.config.smtpUrl).host}, looking every ${mail.intervalMs / 1000} s\n`);
          await closed;
        },
        { handleSignals: false, timeouts: SERVICE_TIMEOUTS, logger, throughHolder: false },
      );
    });
}

/**
 * The sender's settings: none when SMTP_URL is unset (the service then sends nothing, and `tapestry
 * mail send` can); refused, naming the variable, when it is set but unusable. MAIL_POLL_SECONDS is
 * how often the outbox is looked at; BASE_URL is where the links in the messages point.
 */
export function mailSenderSettings(env: NodeJS.ProcessEnv, port: number): MailSenderOptions | undefined {
  if (!env.SMTP_URL?.trim()) return undefined;
  let config;
  try {
    config = mailConfigFromEnv(env);
  } catch (error) {
    if (error instanceof MailConfigError) throw new UserError(error.message);
    throw error;
  }
  const poll = env.MAIL_POLL_SECONDS?.trim() || '15';
  if (!/^\d{1,5}$/.test(poll) || Number(poll) < 1) throw new UserError(`MAIL_POLL_SECONDS must be a whole number of seconds, at least 1, not "${env.MAIL_POLL_SECONDS}"`);
  const baseUrl = (env.BASE_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  return { config, baseUrl, intervalMs: Number(poll) * 1000 };
}
