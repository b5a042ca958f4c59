/**
 * The third-party plugins every area of the service stands on: security headers, signed cookies,
 * CSRF protection, the strict form parser and rate limits (counted in Redis when the service is
 * given one). Routes opt in to a limit with `config: { rateLimit }`, and to CSRF with
 * `preHandler: fastify.csrfProtection`.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { parseForm } from '../form-parser.ts';

export const external = fp(
  async function externalPlugins(fastify: FastifyInstance) {
    const { settings } = fastify;
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
    await fastify.register(fastifyCookie, { secret: settings.secret });
    await fastify.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure: settings.secureCookies },
    });
    // Browsers send forms and nothing else; anything else is refused with a 415.
    fastify.removeAllContentTypeParsers();
    await fastify.register(fastifyFormbody, { parser: parseForm });
    await fastify.register(fastifyRateLimit, { global: false, ...(settings.redisUrl ? sharedCounters(fastify, settings.redisUrl, settings.rateLimitPrefix) : {}) });
  },
  { name: 'tapestry-external', fastify: '5.x', dependencies: ['tapestry-settings'] },
);

/**
 * Rate-limit counters in Redis. A Redis that is down must not take the surveys down with it: the
 * limit is skipped while it is unreachable (and the failure logged), and each request waits at
 * most a second for it.
 */
function sharedCounters(fastify: FastifyInstance, url: string, prefix: string) {
  const redis = new Redis(url, { connectTimeout: 1000, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  redis.on('error', (error) => fastify.log.warn({ err: error }, 'rate-limit counters: Redis unavailable'));
  fastify.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return { redis, nameSpace: prefix, skipOnError: true };
}
