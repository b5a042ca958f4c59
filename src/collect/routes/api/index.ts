/**
 * The JSON API, `/api/v1`: a room of its own beside the respondent's pages and the workspace. Its
 * routes are schema-first (zod schemas validate each request and response, and the OpenAPI 3.1
 * document at `/api/openapi.json` is generated from the same schemas, with human docs at
 * `/api/docs`). A request carries a token (`Authorization: Bearer tap_…`, `tapestry token create`);
 * each route names the permission it needs in its `config`, one hook checks it, and a route that
 * names none is refused, so that no route is open by omission. Errors are problem+json.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { authenticateApiToken } from '../../../store/api-tokens.ts';
import { isDatabaseUnavailable } from '../../../store/unavailable.ts';
import { allows } from '../../authorisation.ts';
import './guard.ts';
import { ApiProblem, type Problem } from './problem.ts';
import { exportRoutes } from './v1/exports.ts';
import { instrumentRoutes } from './v1/instruments.ts';
import { invitationRoutes } from './v1/invitations.ts';
import { responseRoutes } from './v1/responses.ts';
import { waveRoutes } from './v1/waves.ts';

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Omit<Problem, 'type' | 'instance'>) {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send({ type: 'about:blank', ...problem, instance: request.url.split('?')[0] });
}

export async function apiRoutes(fastify: FastifyInstance) {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  // The service refuses every body but forms; the API takes JSON, here only.
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(new ApiProblem(400, 'The body is not JSON', 'Send a JSON object with Content-Type: application/json.'), undefined);
    }
  });

  fastify.addHook('onRequest', async (request, reply) => {
    const needed = request.routeOptions.config.permission;
    // Nothing to guard where there is no route: the not-found handler answers.
    if (needed === null || request.is404) return;
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!bearer) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiProblem(401, 'A token is needed', 'Send a token from `tapestry token create` as "Authorization: Bearer <token>".');
    }
    const token = await authenticateApiToken(fastify.store.db, bearer, fastify.now());
    if (token === 'unknown') {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new ApiProblem(401, 'This token is not known', 'Check that the whole token was sent, or make one with `tapestry token create`.');
    }
    // A token that was real and has stopped working is refused as such, so its holder knows why.
    if (token === 'revoked') throw new ApiProblem(403, 'This token has been revoked', 'Ask for a new one (`tapestry token create`).');
    if (token === 'expired') throw new ApiProblem(403, 'This token has expired', 'Ask for a new one (`tapestry token create`).');
    request.apiToken = token;
    // A route without a permission is refused rather than left open.
    if (needed === undefined) throw new ApiProblem(403, 'Not allowed', 'This route is not open to tokens.');
    const instrument = (request.params as { instrument?: string }).instrument;
    if (!allows(token, needed, instrument)) {
      throw new ApiProblem(403, 'Not allowed', instrument ? `This token's role does not allow this on ${instrument}.` : "This token's role does not allow this.");
    }
  });

  fastify.setNotFoundHandler((request, reply) => sendProblem(reply, request, { title: 'Not found', status: 404, detail: 'There is nothing at this address in the API: see /api/openapi.json.' }));

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiProblem) return sendProblem(reply, request, { title: error.title, status: error.status, ...(error.detail ? { detail: error.detail } : {}), ...(error.errors ? { errors: error.errors } : {}) });
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({ location: `${error.validationContext ?? 'request'}${v.instancePath ? v.instancePath.replaceAll('/', '.') : ''}`, message: v.message ?? 'is not valid' }));
      return sendProblem(reply, request, { title: 'The request is not valid', status: 400, detail: errors.map((e) => `${e.location}: ${e.message}`).join('; '), errors });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '60');
      return sendProblem(reply, request, { title: 'The service is unavailable', status: 503, detail: 'The database cannot be reached just now. Try again in a minute.' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, request, { title: status === 429 ? 'Too many requests' : 'The request is not valid', status, detail: error.message });
    request.log.error({ err: error }, 'API request failed');
    return sendProblem(reply, request, { title: 'Internal Server Error', status: 500, detail: 'Something went wrong on our side. Try again in a few minutes.' });
  });

  fastify.get('/openapi.json', { config: { permission: null }, schema: { hide: true } }, async () => fastify.swagger());

  fastify.addHook('onRoute', (route) => {
    // The docs' own routes (HTML, scripts) are public, as the document is.
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config as object), permission: null };
  });

  // After the hooks and handlers above, which the plugins' own routes inherit as they register.
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'tapestry API', version: '1', description: 'Instruments, waves, monitoring figures, responses, exports and invitations of the studies this service runs.' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'A token from `tapestry token create`, e.g. tap_…' } } },
      security: [{ token: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
    hideUntagged: true,
  });
  // indexPrefix: the UI builds its asset addresses from its own prefix, not knowing it sits under /api.
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs', indexPrefix: '/api', staticCSP: true, uiConfig: { docExpansion: 'list' } });

  await fastify.register(
    async (v1) => {
      await v1.register(instrumentRoutes);
      await v1.register(waveRoutes);
      await v1.register(responseRoutes);
      await v1.register(exportRoutes);
      await v1.register(invitationRoutes);
    },
    { prefix: '/v1' },
  );
}
