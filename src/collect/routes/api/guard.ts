/**
 * What the API's routes share: the token a request was made with, the permission a route names,
 * and the rate limit, counted per token. The hook in `index.ts` runs before a route's own hooks,
 * so the limit's counter knows the token by then.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiToken } from '../../../store/api-tokens.ts';
import type { Permission } from '../../authorisation.ts';
import { ApiProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API token the request was made with (API routes only, after authentication). */
    apiToken?: ApiToken;
  }
  interface FastifyContextConfig {
    /** What an API route needs of its token; `null` for the documents anyone may read. */
    permission?: Permission | null;
  }
}

/** Requests a token may make a minute. */
const REQUESTS_PER_MINUTE = 600;

/** Route config of a v1 route that needs `permission`, with the per-token rate limit. */
export function needs(permission: Permission) {
  return {
    permission,
    rateLimit: {
      max: REQUESTS_PER_MINUTE,
      timeWindow: '1 minute',
      keyGenerator: (request: FastifyRequest) => `api-token:${request.apiToken?.id ?? request.ip}`,
      errorResponseBuilder: () => new ApiProblem(429, 'Too many requests', `A token may make ${REQUESTS_PER_MINUTE} requests a minute. Wait a minute and try again.`),
    },
  };
}

export function apiToken(request: FastifyRequest): ApiToken {
  if (!request.apiToken) throw new ApiProblem(401, 'Not signed in');
  return request.apiToken;
}

