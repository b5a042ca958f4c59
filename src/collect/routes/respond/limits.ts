/** Rate limits of the respondent's routes, per client per minute (see `ServiceSettings`). */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../http-error.ts';

/** Look-ups of invitation tokens and resume codes: what someone guessing them would need many of. */
export function lookupLimit(fastify: FastifyInstance) {
  return { rateLimit: { max: fastify.settings.lookupsPerMinute, timeWindow: '1 minute' } };
}

/** Anonymous starts: each one is a row in the database. */
export function startLimit(fastify: FastifyInstance) {
  return {
    rateLimit: {
      max: fastify.settings.startsPerMinute,
      timeWindow: '1 minute',
      errorResponseBuilder: () =>
        new HttpError(429, 'Please wait a minute', 'Many surveys have been started from your network in the last minute. Wait a minute, then select “Start now” again.'),
    },
  };
}
