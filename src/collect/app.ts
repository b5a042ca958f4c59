/**
 * The survey service as one Fastify plugin: the shared plugins, then one encapsulated plugin per
 * area of routes. `server.ts` builds the instance around it and listens; tests register it on
 * their own instance and call `inject`. It holds no respondent state in memory: progress lives
 * in the database and the browser holds only signed cookies, so several instances can serve one
 * study from one PostgreSQL.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Store } from '../store/open.ts';
import { auth } from './plugins/auth.ts';
import { errors } from './plugins/errors.ts';
import { external } from './plugins/external.ts';
import { mailSender, type MailSenderOptions } from './plugins/mail-sender.ts';
import { settings, type SettingsOptions } from './plugins/settings.ts';
import { store } from './plugins/store.ts';
import { views } from './plugins/views.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { apiRoutes } from './routes/api/index.ts';
import { homeRoutes } from './routes/home/index.ts';
import { respondRoutes } from './routes/respond/index.ts';

export interface AppOptions extends SettingsOptions {
  store: Store;
  /** Send the outbox from this process (`tapestry serve` with SMTP_URL); without it, nothing is sent. */
  mail?: MailSenderOptions | undefined;
}

export const app = fp(
  async function tapestryApp(fastify: FastifyInstance, options: AppOptions) {
    // Services first, as decorations every area reads: fastify.settings, .now(), .store, .instruments;
    // and the e-mail sender, which runs beside the requests rather than in them.
    await fastify.register(settings, options);
    await fastify.register(store, { store: options.store });
    await fastify.register(mailSender, { mail: options.mail });
    await fastify.register(external);
    await fastify.register(views);
    await fastify.register(errors);
    await fastify.register(auth);

    // The areas, each an encapsulated plugin of its own: a new one is one more line, such as
    // `await fastify.register(adminRoutes, { prefix: '/admin' })`.
    await fastify.register(homeRoutes);
    await fastify.register(respondRoutes);
    await fastify.register(adminRoutes, { prefix: '/admin' });
    await fastify.register(apiRoutes, { prefix: '/api' });
  },
  { name: 'tapestry-app', fastify: '5.x' },
);
