/**
 * The survey service as one Fastify plugin. `server.ts` builds the instance around it and listens;
 * tests register it on their own instance and call `inject`. It holds no respondent state in
 * memory: progress lives in the database and the browser holds only signed cookies, so several
 * instances can serve one study from one PostgreSQL.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Store } from '../store/open.ts';
import { isDatabaseUnavailable } from '../store/unavailable.ts';
import { InstrumentCache } from './fielded.ts';
import { parseForm } from './form-parser.ts';
import { HttpError } from './http-error.ts';
import { homeRoutes } from './routes/home.ts';
import { respondRoutes } from './routes/respond.ts';
import { compileStylesheet, createViews, GOVUK_DIST } from './views.ts';

export interface AppOptions {
  store: Store;
  /** Signs cookies and CSRF secrets; shared by every instance (see `cookieSecret`). */
  secret: string;
  serviceName?: string;
  now?: () => Date;
  /** Look-ups of invitation tokens and resume codes allowed per client per minute. */
  lookupsPerMinute?: number;
  /** Anonymous responses a client may start per minute. */
  startsPerMinute?: number;
  /**
   * redis://… — where rate-limit counters live when several instances serve one study, so that a
   * client's limit holds across them. Without it, each instance counts in its own memory.
   */
  redisUrl?: string;
  /** Prefix of the counters' keys in Redis (tests give each app its own). */
  rateLimitPrefix?: string;
  /**
   * Mark every cookie `Secure`. Without it a cookie is `Secure` when its request came over HTTPS,
   * which behind a proxy Fastify learns from a trusted X-Forwarded-Proto.
   */
  secureCookies?: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    render(template: string, context: Record<string, unknown>): FastifyReply;
  }
}

/** Messages for the errors Fastify and its plugins raise on bad requests. */
const KNOWN_ERRORS: Record<string, { title: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { title: 'Your answers are too long', message: 'The form you sent is larger than this service accepts. Shorten your answers and try again.' },
  FST_CSRF_INVALID_TOKEN: { title: 'This form has expired', message: 'The form was out of date or did not come from this site. Go back, reload the page and try again.' },
  FST_CSRF_MISSING_SECRET: { title: 'This form has expired', message: 'The form was out of date or did not come from this site. Go back, reload the page and try again.' },
  FST_CSRF_MISSING_TOKEN: { title: 'This form has expired', message: 'The form was out of date or did not come from this site. Go back, reload the page and try again.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { title: 'Unsupported form', message: 'The form was sent in a format this service does not accept.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { title: 'Unsupported form', message: 'The form was sent in a format this service does not accept.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { title: 'Bad request', message: 'The request was not complete.' },
};

/** Seconds a client is asked to wait before trying again when the service cannot answer. */
const RETRY_AFTER_SECONDS = 60;

/** `mayBeUnsaved` drops the layout's "Your answers are saved as you go", which this page cannot promise. */
const DATABASE_UNAVAILABLE = {
  title: 'Sorry, the service is unavailable',
  message: 'The survey cannot reach its database just now, so what you last sent may not have been saved. Try again in a minute.',
  mayBeUnsaved: true,
};

export const app = fp(
  async function tapestryApp(fastify: FastifyInstance, options: AppOptions) {
    const serviceName = options.serviceName ?? 'tapestry surveys';
    const views = createViews();
    // Compiled now, while the service starts, so that no respondent's request waits on it.
    compileStylesheet();

    fastify.decorateReply('render', function render(this: FastifyReply, template: string, context: Record<string, unknown>) {
      // Respondents often share computers: nothing they answered may be kept by a browser or proxy.
      this.header('cache-control', 'no-store').type('text/html; charset=utf-8');
      return this.send(views.render(template, { serviceName, errors: [], errorsByField: {}, ...context }));
    });

    await fastify.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          fontSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      // Invitation links carry their token in the path: never pass it on to another site.
      referrerPolicy: { policy: 'no-referrer' },
    });
    await fastify.register(fastifyCookie, { secret: options.secret });
    const secure: true | 'auto' = options.secureCookies ? true : 'auto';
    await fastify.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure },
    });
    // Respondents' browsers send forms and nothing else; anything else is refused with a 415.
    fastify.removeAllContentTypeParsers();
    await fastify.register(fastifyFormbody, { parser: parseForm });
    await fastify.register(fastifyRateLimit, { global: false, ...(options.redisUrl ? sharedCounters(fastify, options.redisUrl, options.rateLimitPrefix) : {}) });

    fastify.get('/assets/tapestry.css', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(compileStylesheet()),
    );
    await fastify.register(fastifyStatic, { root: join(GOVUK_DIST, 'govuk', 'assets'), prefix: '/assets/', decorateReply: false, index: false });

    fastify.setNotFoundHandler((_request, reply) =>
      reply.code(404).render('error.njk', { title: 'Page not found', message: 'There is nothing at this address. Check the link you were sent.' }),
    );

    fastify.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpError) {
        const unavailable = error.statusCode === 503;
        if (unavailable) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.code(error.statusCode).render('error.njk', { title: error.title, message: error.message, link: error.link, mayBeUnsaved: unavailable });
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).render('error.njk', DATABASE_UNAVAILABLE);
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const known = KNOWN_ERRORS[error.code];
        request.log.info({ code: error.code, status }, error.message);
        return reply.code(status).render('error.njk', known ?? { title: 'There is a problem with the request', message: error.message });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).render('error.njk', { title: 'Internal Server Error', message: 'Something went wrong on our side, so what you last sent may not have been saved. Try again in a few minutes.', mayBeUnsaved: true });
    });

    const cache = new InstrumentCache();
    const deps = {
      store: options.store,
      cache,
      now: options.now ?? (() => new Date()),
      secret: options.secret,
      lookupsPerMinute: options.lookupsPerMinute ?? 30,
      // Enough for a team filling the survey in together behind one office address.
      startsPerMinute: options.startsPerMinute ?? 20,
      secureCookies: secure,
    };
    await fastify.register(homeRoutes, deps);
    await fastify.register(respondRoutes, deps);
  },
  { name: 'tapestry-app', fastify: '5.x' },
);

/**
 * Rate-limit counters in Redis. A Redis that is down must not take the surveys down with it: the
 * limit is skipped while it is unreachable (and the failure logged), and each request waits at
 * most a second for it.
 */
function sharedCounters(fastify: FastifyInstance, url: string, prefix = 'tapestry-rate-limit-') {
  const redis = new Redis(url, { connectTimeout: 1000, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  redis.on('error', (error) => fastify.log.warn({ err: error }, 'rate-limit counters: Redis unavailable'));
  fastify.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return { redis, nameSpace: prefix, skipOnError: true };
}

export type RouteDeps = {
  store: Store;
  cache: InstrumentCache;
  now: () => Date;
  /** The service's secret: resume codes are derived from it. */
  secret: string;
  lookupsPerMinute: number;
  startsPerMinute: number;
  /** As @fastify/cookie takes it: always, or 'auto' for requests that came over HTTPS. */
  secureCookies: true | 'auto';
};
